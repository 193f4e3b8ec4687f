/**
 * Scores an answerer on the labelled question set: how often it answers what the papers cover,
 * how often it declines what they do not (out-of-corpus and false-premise questions), whether its
 * answers cite a paper labelled relevant, and whether every citation is valid. Also what answers
 * say: the share of each question's key facts they state, whether figure questions get the
 * figure first, and whether follow-ups in conversations cite the right paper.
 */
import type { AnswerResult } from '../answer/types.js';
import { citedNumbers } from '../answer/citations.js';
import { asksForFigure } from '../answer/question-shape.js';
import { hasFigure } from '../answer/sentence-role.js';
import type { Paper } from '../corpus/paper.js';
import { errorMessage } from '../errors.js';
import { factStated, type KeyFact } from './key-facts.js';
import { loadConversations, loadQuestions, type Conversation, type LabelledQuestion } from './labelled-questions.js';

export interface EvalQuestion {
  id: string;
  question: string;
  /** Paper ids that answer it (empty for questions the papers do not cover). */
  relevant: string[];
  kind: 'answerable' | 'out-of-corpus' | 'false-premise';
  /** Written to check the decline rule after it was calibrated on the others; reported apart too. */
  heldOut?: boolean;
}

export interface AnswerEvalReport {
  answerable: number;
  unanswerable: number;
  /** Share of answerable questions answered (not declined). */
  answeredRate: number;
  /** Share of out-of-corpus and false-premise questions declined. */
  declinedRate: number;
  declinedOutOfCorpus: number;
  declinedFalsePremise: number;
  /** Share of answered answerable questions whose citations include a relevant paper. */
  citesRelevantRate: number;
  /** Share of all answers whose citations and markers are all valid (must be 1). */
  citationValidity: number;
  invalid: { id: string; problems: string[] }[];
  errors: { id: string; message: string }[];
  meanMs: number;
  /** The same two rates on the held-out questions alone, when there are any. */
  heldOut?: { answeredRate: number; declinedRate: number };
}

/** The problems with one answer's citations: each must name a corpus paper by its own title and URL, and the text's markers must be exactly the citations. */
export function citationProblems(result: AnswerResult, paperById: (paperId: string) => Paper | undefined): string[] {
  const problems: string[] = [];
  result.citations.forEach((c, i) => {
    const paper = paperById(c.paperId);
    if (!paper) problems.push(`[${c.n}] cites unknown paper ${c.paperId}`);
    else {
      if (paper.title !== c.title) problems.push(`[${c.n}] title differs from the corpus`);
      if (paper.url !== c.url) problems.push(`[${c.n}] url differs from the corpus`);
    }
    if (c.n !== i + 1) problems.push(`citations are not numbered 1..n`);
  });
  const used = citedNumbers(result.answer).sort((a, b) => a - b);
  const listed = result.citations.map((c) => c.n);
  if (used.join() !== listed.join()) problems.push(`markers [${used.join(', ')}] differ from citations [${listed.join(', ')}]`);
  if (result.refused && result.citations.length) problems.push('a declined answer cites papers');
  return problems;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Runs every question through `answer` (one at a time) and prints the figures with `log`;
 * `paperById` (e.g. `litbot.paperById`) is the corpus citations are checked against.
 */
export async function runAnswerEval(
  answer: (question: string) => Promise<AnswerResult>,
  questions: EvalQuestion[],
  log: (line: string) => void,
  paperById: (paperId: string) => Paper | undefined,
): Promise<AnswerEvalReport> {
  let answered = 0;
  let citesRelevant = 0;
  let declinedOoc = 0;
  let declinedFp = 0;
  let valid = 0;
  let total = 0;
  let ms = 0;
  const invalid: AnswerEvalReport['invalid'] = [];
  const errors: AnswerEvalReport['errors'] = [];
  const answerable = questions.filter((q) => q.kind === 'answerable');
  const ooc = questions.filter((q) => q.kind === 'out-of-corpus');
  const fp = questions.filter((q) => q.kind === 'false-premise');
  const misses: string[] = [];
  const held = { answerable: 0, answered: 0, unanswerable: 0, declined: 0 };
  for (const q of questions) {
    let result: AnswerResult;
    const started = performance.now();
    try {
      result = await answer(q.question);
    } catch (error) {
      errors.push({ id: q.id, message: errorMessage(error) });
      continue;
    }
    ms += performance.now() - started;
    total++;
    const problems = citationProblems(result, paperById);
    if (problems.length) invalid.push({ id: q.id, problems });
    else valid++;
    if (q.heldOut) {
      if (q.kind === 'answerable') {
        held.answerable++;
        if (!result.refused) held.answered++;
      } else {
        held.unanswerable++;
        if (result.refused) held.declined++;
      }
    }
    if (q.kind === 'answerable') {
      if (!result.refused) {
        answered++;
        if (result.citations.some((c) => q.relevant.includes(c.paperId))) citesRelevant++;
      } else misses.push(`declined ${q.id}: ${q.question} (${result.declineReason ?? ''})`);
    } else if (result.refused) {
      if (q.kind === 'out-of-corpus') declinedOoc++;
      else declinedFp++;
    } else misses.push(`answered ${q.id} (${q.kind}): ${q.question}`);
  }
  const report: AnswerEvalReport = {
    answerable: answerable.length,
    unanswerable: ooc.length + fp.length,
    answeredRate: answerable.length ? answered / answerable.length : 0,
    declinedRate: ooc.length + fp.length ? (declinedOoc + declinedFp) / (ooc.length + fp.length) : 0,
    declinedOutOfCorpus: ooc.length ? declinedOoc / ooc.length : 0,
    declinedFalsePremise: fp.length ? declinedFp / fp.length : 0,
    citesRelevantRate: answered ? citesRelevant / answered : 0,
    citationValidity: total ? valid / total : 0,
    invalid,
    errors,
    meanMs: total ? ms / total : 0,
    ...(held.answerable + held.unanswerable
      ? { heldOut: { answeredRate: held.answerable ? held.answered / held.answerable : 0, declinedRate: held.unanswerable ? held.declined / held.unanswerable : 0 } }
      : {}),
  };
  log(`Answers (${questions.length} questions):`);
  log(`  answered, answerable questions:         ${pct(report.answeredRate)} (${answered}/${answerable.length}; target >= 95%)`);
  log(`  declined, out-of-corpus + false-premise: ${pct(report.declinedRate)} (${declinedOoc + declinedFp}/${ooc.length + fp.length}; target >= 80%)`);
  log(`    out-of-corpus declined:                ${pct(report.declinedOutOfCorpus)} (${declinedOoc}/${ooc.length})`);
  log(`    false-premise declined:                ${pct(report.declinedFalsePremise)} (${declinedFp}/${fp.length})`);
  log(`  answers citing a relevant paper:        ${pct(report.citesRelevantRate)} (${citesRelevant}/${answered})`);
  log(`  citation validity:                      ${pct(report.citationValidity)} (${valid}/${total}; must be 100%)`);
  if (report.heldOut) {
    const old = { answerable: answerable.length - held.answerable, unanswerable: ooc.length + fp.length - held.unanswerable };
    const oldAnswered = answered - held.answered;
    const oldDeclined = declinedOoc + declinedFp - held.declined;
    log(
      `  first questions:       answered ${pct(old.answerable ? oldAnswered / old.answerable : 0)} (${oldAnswered}/${old.answerable}), declined ${pct(old.unanswerable ? oldDeclined / old.unanswerable : 0)} (${oldDeclined}/${old.unanswerable})`,
    );
    log(
      `  added later (heldOut): answered ${pct(report.heldOut.answeredRate)} (${held.answered}/${held.answerable}), declined ${pct(report.heldOut.declinedRate)} (${held.declined}/${held.unanswerable})`,
    );
  }
  log(`  mean time per answer:                   ${report.meanMs.toFixed(0)} ms`);
  if (errors.length)
    log(
      `  errors: ${errors.length} (${errors
        .slice(0, 3)
        .map((e) => `${e.id}: ${e.message}`)
        .join('; ')})`,
    );
  for (const i of invalid.slice(0, 5)) log(`  invalid ${i.id}: ${i.problems.join('; ')}`);
  for (const m of misses) log(`  ${m}`);
  return report;
}

export interface FollowUp {
  turns: string[];
  relevant: string[];
}

/** Runs each conversation and reports how often the last turn's answer cites a relevant paper. */
export async function runFollowUpEval(
  answer: (question: string, history: { question: string; answer: AnswerResult }[]) => Promise<AnswerResult>,
  conversations: FollowUp[],
  log: (line: string) => void,
): Promise<{ citesRelevantRate: number; answeredRate: number }> {
  let cites = 0;
  let answered = 0;
  for (const c of conversations) {
    const history: { question: string; answer: AnswerResult }[] = [];
    let last: AnswerResult | undefined;
    for (const turn of c.turns) {
      last = await answer(turn, [...history]);
      history.push({ question: turn, answer: last });
    }
    if (last && !last.refused) answered++;
    if (last?.citations.some((x) => c.relevant.includes(x.paperId))) cites++;
  }
  const n = conversations.length || 1;
  log(`Follow-ups (${conversations.length} conversations):`);
  log(`  last turn answered:                     ${pct(answered / n)} (${answered}/${conversations.length})`);
  log(`  last turn citing the relevant paper:    ${pct(cites / n)} (${cites}/${conversations.length})`);
  return { citesRelevantRate: cites / n, answeredRate: answered / n };
}

// ------------------------------------------------------------------ answer content

/** A labelled question with the key facts a good answer states (see docs/questions.md). */
export type FactsQuestion = LabelledQuestion;

/** The answer as a reader sees it: Markdown escapes and emphasis marks removed, so keys match what is shown. */
export function displayText(result: AnswerResult): string {
  return result.answer.replace(/\\([\\*_`~|[\]>])/g, '$1').replace(/\*+/g, '');
}

/** Share of `facts` the answer states (0 for a declined answer: it states none). */
export function factsShare(result: AnswerResult, facts: KeyFact[]): number {
  if (!facts.length || result.refused) return 0;
  const text = displayText(result);
  return facts.filter((f) => factStated(f, text)).length / facts.length;
}

/** The quoted or written sentences of an answer in order, without the "From *Title*: " or "• *Title*: " lead-ins. */
export function answerSentences(result: AnswerResult): string[] {
  return result.answer
    .split(/\n+/)
    .map((p) => p.replace(/^(?:• |From |See also )?\*(?:[^*\\]|\\.)*\*(?: adds)?: /, ''))
    .flatMap((p) => p.split(/(?<=\[\d+(?:, \d+)*\][.!]?)\s+/))
    .map((s) =>
      s
        .replace(/\\([\\*_`~|[\]>])/g, '$1')
        .replace(/\*+/g, '')
        .trim(),
    )
    .filter(Boolean);
}

export interface KeyFactsReport {
  /** Questions with facts. */
  questions: number;
  /** Mean share of facts stated, a declined question counting 0. */
  meanShare: number;
  /** The same over the questions answered. */
  meanShareAnswered: number;
  answered: number;
  /** Questions whose every fact is stated. */
  allStated: number;
  /** Answered questions that ask for a figure ("how much ..."). */
  figureQuestions: number;
  /** Of those, answers stating a figure at all, and answers whose first sentence states one. */
  figureStated: number;
  figureFirst: number;
  /** Of the papers the answers cite, the share labelled relevant (a floor: labels may miss a paper that also fits). */
  citedRelevant: number;
  cited: number;
}

/**
 * The answer-content score: asks every question that has key facts and reports the mean share of
 * its facts the answer states, and for questions asking for a figure, whether the answer states
 * one and opens with it.
 */
export async function runKeyFactsEval(answer: (question: string) => Promise<AnswerResult>, questions: FactsQuestion[], log: (line: string) => void): Promise<KeyFactsReport> {
  const report: KeyFactsReport = {
    questions: 0,
    meanShare: 0,
    meanShareAnswered: 0,
    answered: 0,
    allStated: 0,
    figureQuestions: 0,
    figureStated: 0,
    figureFirst: 0,
    citedRelevant: 0,
    cited: 0,
  };
  let sum = 0;
  const misses: string[] = [];
  for (const q of questions) {
    if (!q.facts?.length) continue;
    const result = await answer(q.question);
    report.questions++;
    const share = factsShare(result, q.facts);
    sum += share;
    if (!result.refused) report.answered++;
    report.cited += result.citations.length;
    report.citedRelevant += result.citations.filter((c) => q.relevant.includes(c.paperId)).length;
    if (share === 1) report.allStated++;
    else if (!result.refused) misses.push(`${q.id} ${(share * q.facts.length).toFixed(0)}/${q.facts.length}: ${q.question}`);
    if (!result.refused && asksForFigure(q.question)) {
      report.figureQuestions++;
      const sentences = answerSentences(result);
      if (sentences.some(hasFigure)) report.figureStated++;
      if (sentences.length && hasFigure(sentences[0])) report.figureFirst++;
    }
  }
  report.meanShare = report.questions ? sum / report.questions : 0;
  report.meanShareAnswered = report.answered ? sum / report.answered : 0;
  log(
    `  key facts stated (mean share per question, declined = 0): ${pct(report.meanShare)} over ${report.questions} questions; ${pct(report.meanShareAnswered)} over the ${report.answered} answered; all facts in ${report.allStated}`,
  );
  log(`  figure questions answered: ${report.figureQuestions}; stating a figure ${report.figureStated}, opening with one ${report.figureFirst}`);
  log(`  cited papers labelled relevant: ${pct(report.cited ? report.citedRelevant / report.cited : 0)} (${report.citedRelevant}/${report.cited})`);
  for (const m of misses.slice(0, 40)) log(`    facts missing ${m}`);
  return report;
}

/** How conversations went: each counted by its follow-up turns (the target), its last turn, and every turn. */
export interface ConversationReport {
  conversations: number;
  /** Every turn after the first is right: the issue's "follow-ups cite the right paper". */
  right: number;
  lastRight: number;
  allRight: number;
}

/**
 * Asks each conversation turn by turn with its history. A turn is right when it cites a paper the
 * turn lists, or, for a turn listing none (after off-topic or chit-chat), cites nothing. A
 * conversation counts as right when every follow-up turn is.
 */
export async function runConversationEval(
  answer: (question: string, history: { question: string; answer: AnswerResult }[]) => Promise<AnswerResult>,
  conversations: Conversation[],
  log: (line: string) => void,
): Promise<ConversationReport> {
  const report: ConversationReport = { conversations: conversations.length, right: 0, lastRight: 0, allRight: 0 };
  const misses: string[] = [];
  for (const c of conversations) {
    const history: { question: string; answer: AnswerResult }[] = [];
    const right: boolean[] = [];
    const trace: string[] = [];
    for (const turn of c.turns) {
      const result = await answer(turn.question, [...history]);
      history.push({ question: turn.question, answer: result });
      const cited = result.citations.map((x) => x.paperId);
      const turnOk = turn.relevant.length ? !result.refused && cited.some((id) => turn.relevant.includes(id)) : cited.length === 0;
      right.push(turnOk);
      trace.push(`${turn.question} -> ${result.kind}${turnOk ? '' : ' (wrong)'}`);
    }
    if (right.slice(1).every(Boolean)) report.right++;
    if (right[right.length - 1]) report.lastRight++;
    if (right.every(Boolean)) report.allRight++;
    else misses.push(`${c.id}: ${trace.join(' / ')}`);
  }
  const of = (n: number) => `${n}/${report.conversations}`;
  log(
    `  conversations whose follow-ups cite the right paper: ${of(report.right)} (target: at least 7 of 8); last turn right ${of(report.lastRight)}, every turn right ${of(report.allRight)}`,
  );
  for (const m of misses) log(`    ${m}`);
  return report;
}

/** A labelled set's questions and conversations. */
export function readLabelledSet(file: string): { questions: FactsQuestion[]; conversations: Conversation[] } {
  return { questions: loadQuestions(file), conversations: loadConversations(file) };
}

/**
 * The answer-content part of `npm run eval`: for each labelled set and each of its parts (tune,
 * test), the key-facts score, and for sets with conversations, the follow-up score (unless
 * `conversations: false`: `npm run eval` scores them with the answers).
 */
export async function runContentEval(
  ask: (question: string, history?: { question: string; answer: AnswerResult }[]) => Promise<AnswerResult>,
  files: string[],
  log: (line: string) => void,
  splits: ('tune' | 'test')[] = ['tune', 'test'],
  options: { conversations?: boolean } = {},
): Promise<void> {
  for (const file of files) {
    const set = readLabelledSet(file);
    for (const split of splits) {
      const questions = set.questions.filter((q) => (q.split ?? 'tune') === split);
      const conversations = set.conversations.filter((c) => (c.split ?? 'tune') === split);
      log('');
      log(`Answer content, ${file}, ${split} part${split === 'tune' ? ' (weights were fitted here)' : ' (never tuned on)'}`);
      await runKeyFactsEval((q) => ask(q), questions, log);
      if (conversations.length && options.conversations !== false) await runConversationEval((q, history) => ask(q, history), conversations, log);
    }
  }
}

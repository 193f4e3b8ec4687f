/**
 * `npm run eval`: retrieval quality (dense, BM25, the old fixed fusion, the learned ranker), topic
 * quality against the human grouping, and the answerer's decisions (answer or decline), citation
 * validity and follow-ups. Each labelled set is reported by part: the tuning part (what the
 * models were fitted on, so flattering) and the test part (never tuned on: the figures to quote).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AnswerResult } from '../answer/types.js';
import { program, runCli } from '../cli/run-cli.js';
import { createLitbot, type Litbot } from '../litbot.js';
import { readLabelledSet, runAnswerEval, runContentEval, runConversationEval, runFollowUpEval, type EvalQuestion, type FollowUp } from './answer-eval.js';
import { ANSWER_KINDS, DECLINE_KINDS, loadQuestions, part, type LabelledQuestion, type Split } from './labelled-questions.js';
import { RANKINGS, evaluateRetrieval, formatRetrievalTable } from './retrieval-eval.js';
import { printTopicEval } from './topic-eval.js';

const pct = (x: number, n: number) => `${n ? ((x / n) * 100).toFixed(1) : '-'}% (${x}/${n})`;

await runCli(async () => {
  const cmd = program('eval', 'Measure retrieval, topics and answers on the labelled question sets, tuning and test parts apart.')
    .option('--questions <file>', 'labelled questions', 'test/fixtures/questions.json')
    .option('--discord <file>', 'questions typed the way people write in Discord', 'test/fixtures/discord-questions.json')
    .option('--followups <file>', 'two-turn conversations', 'test/fixtures/followups.json')
    .option('--conversations <file>', 'more conversations typed the way people write in Discord (all tuning)', 'test/fixtures/tuning-conversations.json')
    .option('--topics <file>', 'human topic grouping', 'test/fixtures/topics-human.json')
    .option('--split <parts>', 'which parts to report: tune, test or both', 'tune,test')
    .option('--misses', "list the questions whose paper is not in the learned ranker's top 10")
    .option('--only <parts>', 'comma-separated subset of retrieval,topics,answers,content')
    .parse();
  const opts = cmd.opts<{ questions: string; discord: string; followups: string; conversations: string; topics: string; split: string; misses?: boolean; only?: string }>();
  const parts = new Set((opts.only ?? 'retrieval,topics,answers,content').split(','));
  const splits = opts.split.split(',') as Split[];
  const sets = [opts.questions, opts.discord].filter((f) => existsSync(f)).map((file) => ({ file, questions: loadQuestions(file) }));
  const litbot = await createLitbot({ buildIfMissing: true });
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const ask = memoisedAsk(litbot);
  const about = litbot.about();
  out(`Index: ${about.papers} papers, ${about.chunks} chunks, EMBEDDINGS=${about.embeddings}, answers by ${about.backend}${about.model ? ` (${about.model})` : ''}`);
  out('Tuning parts: the ranker and the decision were fitted on them (npm run fit). Test parts: never tuned on.');

  if (parts.has('retrieval')) {
    for (const { file, questions } of sets) {
      for (const split of splits) {
        const qs = part(questions, split);
        out();
        out(`Retrieval, ${file}, ${split} part (Recall@k = a relevant paper in the top k)`);
        const rows = [];
        for (const ranking of RANKINGS) rows.push(await evaluateRetrieval((q, o) => litbot.search(q, o), qs, ranking));
        out(formatRetrievalTable(rows));
        const learned = rows[rows.length - 1];
        const before = rows.find((r) => r.mode.startsWith('fixed'))!;
        const bm25 = rows.find((r) => r.mode === 'bm25')!;
        out(
          `  learned vs before: R@5 ${learned.recallAt5.toFixed(3)} vs ${before.recallAt5.toFixed(3)}, MRR@10 ${learned.mrrAt10.toFixed(3)} vs ${before.mrrAt10.toFixed(3)}; multi-paper R@10 ${learned.multiPaper.recallAt10.toFixed(3)} vs BM25 ${bm25.multiPaper.recallAt10.toFixed(3)} (target: higher, higher, at least BM25's)`,
        );
        if (opts.misses) for (const m of learned.misses) out(`  miss ${m.id}: ${m.question}`);
      }
    }
  }
  if (parts.has('topics')) {
    out();
    printTopicEval(litbot.topics(), JSON.parse(readFileSync(opts.topics, 'utf8')) as Record<string, string>, out);
  }
  if (parts.has('answers')) {
    for (const { file, questions } of sets) {
      for (const split of splits) {
        const qs = part(questions, split);
        out();
        out(`Answers, ${file}, ${split} part`);
        if (file === opts.questions) {
          const report = await runAnswerEval(
            (q) => ask(q),
            qs as EvalQuestion[],
            out,
            (id) => litbot.paperById(id),
          );
          out(
            `  issue 12 targets: answered ${(report.answeredRate * 100).toFixed(1)}% of answerable (>= 95%), declined ${(report.declinedOutOfCorpus * 100).toFixed(1)}% of out-of-corpus (>= 90%)`,
          );
        } else {
          await runDiscordTargets(ask, qs, out);
          await runConversationEval(
            ask,
            readLabelledSet(file).conversations.filter((c) => (c.split ?? 'tune') === split),
            out,
          );
        }
      }
    }
    out();
    out(`Follow-ups (${opts.followups}; all tuning part)`);
    const conversations = JSON.parse(readFileSync(opts.followups, 'utf8')) as FollowUp[];
    await runFollowUpEval(ask, conversations, out);
    if (splits.includes('tune') && existsSync(opts.conversations)) {
      out();
      out(`Conversations, ${opts.conversations} (all tuning part)`);
      await runConversationEval(ask, readLabelledSet(opts.conversations).conversations, out);
    }
  }
  if (parts.has('content')) {
    const files = [opts.questions, opts.discord].filter((f) => existsSync(f));
    await runContentEval(
      ask,
      files,
      out,
      splits.filter((x): x is 'tune' | 'test' => x === 'tune' || x === 'test'),
      { conversations: !parts.has('answers') },
    );
  }
  await litbot.close();
});

/**
 * The Discord set's targets: answerable (and multi-paper, vague) questions answered citing a
 * relevant paper; every off-topic question declined; chit-chat citing nothing. Conversations are
 * asked turn by turn and scored on their last turn.
 */
async function runDiscordTargets(ask: (question: string) => Promise<AnswerResult>, questions: LabelledQuestion[], out: (line?: string) => void): Promise<void> {
  const tally = new Map<string, { n: number; ok: number }>();
  const count = (kind: string, ok: boolean) => {
    const t = tally.get(kind) ?? { n: 0, ok: 0 };
    t.n++;
    if (ok) t.ok++;
    tally.set(kind, t);
  };
  const misses: string[] = [];
  for (const q of questions) {
    const r = await ask(q.question);
    const cited = r.citations.map((c) => c.paperId);
    let ok: boolean;
    if (ANSWER_KINDS.has(q.kind)) ok = !r.refused && cited.some((id) => q.relevant.includes(id));
    else if (DECLINE_KINDS.has(q.kind)) ok = r.refused;
    else if (q.kind === 'chit-chat') ok = cited.length === 0;
    else if (q.kind === 'false-premise') ok = r.refused || cited.some((id) => q.relevant.includes(id));
    else ok = true;
    count(q.kind, ok);
    if (!ok) misses.push(`${q.kind} ${q.id}: ${q.question} -> ${r.refused ? `declined (${r.declineReason ?? ''})` : `answered citing ${cited.length}`}`);
  }
  const answer = [...tally].filter(([k]) => ANSWER_KINDS.has(k)).reduce((a, [, t]) => ({ n: a.n + t.n, ok: a.ok + t.ok }), { n: 0, ok: 0 });
  out(`  to answer (answerable, multi-paper, vague), answered citing a relevant paper: ${pct(answer.ok, answer.n)}; target >= 95%`);
  for (const [kind, t] of [...tally].sort()) {
    const what = ANSWER_KINDS.has(kind)
      ? 'answered citing a relevant paper'
      : DECLINE_KINDS.has(kind)
        ? 'declined (target: all)'
        : kind === 'chit-chat'
          ? 'citing nothing (target: all)'
          : kind === 'false-premise'
            ? 'declined or citing the paper'
            : 'asked';
    out(`    ${kind.padEnd(14)} ${what}: ${pct(t.ok, t.n)}`);
  }
  for (const m of misses) out(`  ${m}`);
}

/**
 * `litbot.ask`, each question with the same history asked once: the answers and content parts score
 * the same questions (offline answers are deterministic; an LLM backend is not paid twice).
 */
function memoisedAsk(litbot: Litbot): (question: string, history?: { question: string; answer: AnswerResult }[]) => Promise<AnswerResult> {
  const asked = new Map<string, Promise<AnswerResult>>();
  return (question, history = []) => {
    const key = JSON.stringify([...history.map((t) => t.question), question]);
    let answer = asked.get(key);
    if (!answer) asked.set(key, (answer = litbot.ask(question, { history })));
    return answer;
  };
}

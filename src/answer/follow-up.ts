/**
 * Follow-up questions without a model: which earlier turn a question can lean on, whether it does,
 * and how. A follow-up that names another paper or method moves to it; one that asks for results
 * ("what about its results?") is answered from the previous paper's result sentences; one that
 * leans on the previous turn in other ways ("how does it do at test time?") keeps its papers in
 * view; one that returns to an earlier turn ("ok back to the first one") leans on that turn;
 * anything else, and anything after a declined turn, is read on its own.
 */
import { NAME_LIKE, SIZE, nameTokens, wordTokens } from '../retrieval/names.js';
import { asksForList, asksForResults } from './question-shape.js';
import type { Turn } from './types.js';
import { contentTerms, termSet } from './terms.js';

const LEANING =
  /^(?:and|but|so|also|what about|how about|and what|what else|why|how come|tell me more|more on|more about|go on|elaborate|same for|compared)\b|\b(?:which|what) (?:one|ones|of (?:them|those|these|the two|both))\b|\bthe (?:one|other one|latter|former)\b|\b(?:it|its|it's|they|them|their|theirs|this|that|these|those|the (?:paper|papers|method|methods|model|models|approach|authors|study|work|results?|first|second|third|former|latter|same)|such|there|he|she|his|her)\b/i;

/**
 * True when a question probably depends on the previous turn: it uses a pronoun or a "what about"
 * opening, or it has too few content words to stand alone.
 */
export function leansOnPrevious(question: string): boolean {
  const terms = contentTerms(question);
  return LEANING.test(question.trim()) || terms.length <= 1;
}

/**
 * The turn a follow-up can lean on: the last one that answered from papers. Small talk in between
 * ("thanks!") is skipped; a declined turn ends the search, since a question after a refusal is
 * usually the user's new attempt and must be read on its own.
 */
export function lastAnsweredTurn(history: Turn[] | undefined): Turn | undefined {
  if (!history) return undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const { answer } = history[i];
    if (answer.kind === 'smalltalk') continue;
    return answer.refused ? undefined : history[i];
  }
  return undefined;
}

/** What the collection knows about its words, for telling a new subject from a word of the previous paper. */
export interface KnownTerms {
  /** Papers holding a stemmed term in their title or abstract. */
  papersWith(term: string): number;
  /** Papers holding a stemmed term in their title. */
  titlesWith(term: string): number;
  /** The stemmed terms of a paper's title and abstract. */
  termsOf(paperId: string): Set<string> | undefined;
  /** Papers in the collection. */
  papers: number;
}

/** A title word of at most this many papers names a particular paper ("hedgehog", "bird"). */
const PARTICULAR_TITLES = 3;

/** Words people open a message with that say nothing about it ("hmm what about orca", "ok and X?"). */
const FILLERS = String.raw`(?:(?:and|but|ok(?:ay)?|k|so|hmm+|hm+|wait|lol|oh|ah|um+|uh+|well|right|cool|nice|thx|thanks)[,.!]*\s+)*`;

/** "what about X?", "how about X", "and X?", "X instead?", after fillers: the rest is a new subject. */
const SWITCH = new RegExp(String.raw`^${FILLERS}(?:what|wat|wht|whut|how) about\s+|^${FILLERS}(?:and|now|same (?:question )?for)\s+|^ok(?:ay)?,? now\s+|\s+instead\W*$`, 'i');

/** Words that point back at the previous answer's papers. */
const BACK_REFERENCE = /\b(?:it|its|it's|they|them|their|theirs|this|that|these|those|the (?:paper|papers|method|model|approach|authors|study|work))\b/i;

/**
 * The words of a follow-up that name something none of the previous turn's papers mention but the
 * collection does: a name ("MIGU", "RWKU"), a word in the titles of only a few papers
 * ("hedgehog"), or, after "what about", any subject ("what about unlearning?"). A question that
 * also points back ("does it work with LoRA?") stays with the previous papers.
 */
export function newSubjects(question: string, previousPapers: string[], known: KnownTerms, previousTitles: string[] = []): string[] {
  const previous = previousPapers.map((id) => known.termsOf(id)).filter((s): s is Set<string> => !!s);
  if (!previous.length) return [];
  const titleTerms = termSet(previousTitles.join(' '));
  const switched = SWITCH.test(question.trim());
  const rest = question.trim().replace(SWITCH, ' ');
  if (!switched && BACK_REFERENCE.test(question)) return [];
  // "what about accuracy?" asks for the previous paper's results, not for papers on accuracy.
  if (switched && asksForResults(rest) && !nameTokens(rest).length) return [];
  const inPrevious = (t: string) => previous.some((s) => s.has(t));
  const out: string[] = [];
  const tokens = wordTokens(rest);
  for (const token of tokens) {
    const terms = contentTerms(token);
    if (!terms.length) continue;
    const held = terms.filter((t) => known.papersWith(t) > 0);
    if (!held.length) continue;
    // "what about orca": the title word of another paper names it, though a previous paper's abstract mentions it too.
    const namesOther = switched && held.some((t) => known.titlesWith(t) > 0 && known.titlesWith(t) <= PARTICULAR_TITLES && !titleTerms.has(t));
    if (held.some(inPrevious) && !namesOther) continue;
    const name = NAME_LIKE.test(token) && !SIZE.test(token);
    const inFewTitles = held.some((t) => known.titlesWith(t) > 0 && known.titlesWith(t) <= PARTICULAR_TITLES);
    if (name || inFewTitles || (switched && !BACK_REFERENCE.test(rest))) out.push(token);
  }
  return out;
}

/** A word in at most this share of the papers is particular enough to tie a question to a paper. */
const PARTICULAR_SHARE = 0.1;

/** True when the question's particular words (few papers use them) all occur in the previous papers, and it has some. */
function aboutPrevious(question: string, previousPapers: string[], known: KnownTerms): boolean {
  const previous = previousPapers.map((id) => known.termsOf(id)).filter((s): s is Set<string> => !!s);
  const papers = Math.max(1, known.papers);
  const particular = [...new Set(contentTerms(question))].filter((t) => known.papersWith(t) > 0 && known.papersWith(t) <= PARTICULAR_SHARE * papers);
  return particular.length > 0 && particular.every((t) => previous.some((s) => s.has(t)));
}

/**
 * True when the question holds a word that only a few papers use (as a title word naming a paper)
 * and the previous papers are among them, unless the word names another paper in its title
 * ("orca" after papers that mention Orca).
 */
function holdsRareWordOf(question: string, previousPapers: string[], known: KnownTerms, previousTitles: string[]): boolean {
  const previous = previousPapers.map((id) => known.termsOf(id)).filter((s): s is Set<string> => !!s);
  const titleTerms = termSet(previousTitles.join(' '));
  return contentTerms(question).some(
    (t) => known.papersWith(t) > 0 && known.papersWith(t) <= PARTICULAR_TITLES && previous.some((s) => s.has(t)) && (titleTerms.has(t) || known.titlesWith(t) === 0),
  );
}

/** How a question relates to the conversation before it. */
export type FollowUpMode =
  /** Read on its own: no earlier answer, or it does not lean on one. */
  | 'standalone'
  /** Leans on the previous turn ("how does it do at test time?"): its papers stay in view. */
  | 'leans'
  /** Asks for the previous paper's results ("what about its results?"). */
  | 'results'
  /** Names another paper or method than the previous turn's: retrieval moves to it. */
  | 'moves';

export interface FollowUpReading {
  mode: FollowUpMode;
  /** The turn it leans on or moves away from. */
  previous?: Turn;
  /** For `moves`: the words that name the new subject. */
  newSubjects?: string[];
  /** For `moves` after "what about ...": what is left, the subject to search for ("what about MIGU?" -> "MIGU"). */
  subject?: string;
}

/** "back to the first one", "ok back to the farming paper": the user returns to an earlier turn, described by its place or its subject. */
const BACK_TO = /\b(?:back to|return to|returning to) (?:the |that )?(?:(first|second|third|earlier|original|other|previous)|(.{1,40}?)) (?:one|paper|model|method|study|work)\b/i;

const ORDINALS: Record<string, number> = { first: 0, original: 0, second: 1, third: 2 };

/**
 * The earlier turn a question returns to ("ok back to the first one, what did it beat"): by its
 * place among the answered turns, else the one whose question or lead paper holds the words that
 * describe it ("the farming one"), else the last one that led with another paper than the last turn.
 */
export function turnReturnedTo(question: string, history: Turn[] | undefined, known?: KnownTerms): Turn | undefined {
  const m = BACK_TO.exec(question);
  if (!m || !history) return undefined;
  const answered = history.filter((t) => !t.answer.refused && t.answer.kind !== 'smalltalk' && t.answer.citations.length);
  const last = answered[answered.length - 1];
  if (!last) return undefined;
  const lead = (t: Turn) => t.answer.citations[0].paperId;
  const earlier = answered.filter((t) => lead(t) !== lead(last));
  if (!earlier.length) return undefined;
  const place = m[1]?.toLowerCase();
  if (place && place in ORDINALS) return answered[ORDINALS[place]] && lead(answered[ORDINALS[place]]) !== lead(last) ? answered[ORDINALS[place]] : undefined;
  const described = m[2] ? contentTerms(m[2]) : [];
  if (described.length) {
    const holds = (t: Turn) => {
      const terms = new Set([...contentTerms(t.question), ...(known?.termsOf(lead(t)) ?? [])]);
      return described.filter((d) => terms.has(d)).length;
    };
    const best = earlier.reduce((a, b) => (holds(b) > holds(a) ? b : a));
    if (holds(best) > 0) return best;
  }
  return earlier[earlier.length - 1];
}

/** Reads a question against the conversation so far. */
export function readFollowUp(question: string, history: Turn[] | undefined, known?: KnownTerms): FollowUpReading {
  const returnedTo = turnReturnedTo(question, history, known);
  if (returnedTo) return { mode: asksForResults(question) ? 'results' : 'leans', previous: returnedTo };
  const previous = lastAnsweredTurn(history);
  if (!previous) return { mode: 'standalone' };
  const cited = previous.answer.citations.map((c) => c.paperId);
  // A "which papers" question asks past the previous answer; any other whose rare word is the
  // previous paper's own ("how long do the traps need to be" after the copyright-traps paper)
  // stays with it, and only a name can move it elsewhere.
  const list = asksForList(question);
  const titles = previous.answer.citations.map((c) => c.title);
  const anchored = !!known && !list && holdsRareWordOf(question, cited, known, titles);
  const fresh = known ? newSubjects(question, cited, known, titles).filter((token) => !anchored || (NAME_LIKE.test(token) && !SIZE.test(token))) : [];
  if (fresh.length) {
    const rest = question
      .trim()
      .replace(SWITCH, ' ')
      .replace(/[?!.]+$/, '')
      .trim();
    return { mode: 'moves', previous, newSubjects: fresh, ...(SWITCH.test(question.trim()) && rest ? { subject: rest } : {}) };
  }
  const results = asksForResults(question);
  // "how much better than vicuna": no pronoun, but its particular words are the previous paper's own.
  const about = anchored || (!!known && !list && aboutPrevious(question, cited, known));
  if (!leansOnPrevious(question) && !about) return { mode: 'standalone', previous };
  return { mode: results ? 'results' : 'leans', previous };
}

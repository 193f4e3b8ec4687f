/**
 * Follow-up questions without a model: which earlier turn a question can lean on, whether it does,
 * and how. A follow-up that names another paper or method moves to it; one that asks for results
 * ("what about its results?") is answered from the previous paper's result sentences; one that
 * leans on the previous turn in other ways ("how does it do at test time?") keeps its papers in
 * view; anything else, and anything after a declined turn, is read on its own.
 */
import { NAME_LIKE, SIZE, nameTokens, wordTokens } from '../retrieval/names.js';
import { asksForList, asksForResults } from './question-shape.js';
import type { Turn } from './types.js';
import { contentTerms } from './terms.js';

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

/** "what about X?", "how about X", "and X?", "X instead?": the rest is a new subject. */
const SWITCH = /^(?:and |but |ok(?:ay)?,? |so )?(?:what|wat|wht|whut|how) about\s+|^(?:and|now|ok(?:ay)?,? now|same (?:question )?for)\s+|\s+instead\W*$/i;

/** Words that point back at the previous answer's papers. */
const BACK_REFERENCE = /\b(?:it|its|it's|they|them|their|theirs|this|that|these|those|the (?:paper|papers|method|model|approach|authors|study|work))\b/i;

/**
 * The words of a follow-up that name something none of the previous turn's papers mention but the
 * collection does: a name ("MIGU", "RWKU"), a word in the titles of only a few papers
 * ("hedgehog"), or, after "what about", any subject ("what about unlearning?"). A question that
 * also points back ("does it work with LoRA?") stays with the previous papers.
 */
export function newSubjects(question: string, previousPapers: string[], known: KnownTerms): string[] {
  const previous = previousPapers.map((id) => known.termsOf(id)).filter((s): s is Set<string> => !!s);
  if (!previous.length) return [];
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
    if (!held.length || held.some(inPrevious)) continue;
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

/** True when the question holds a word that only a few papers use (as a title word naming a paper) and the previous papers are among them. */
function holdsRareWordOf(question: string, previousPapers: string[], known: KnownTerms): boolean {
  const previous = previousPapers.map((id) => known.termsOf(id)).filter((s): s is Set<string> => !!s);
  return contentTerms(question).some((t) => known.papersWith(t) > 0 && known.papersWith(t) <= PARTICULAR_TITLES && previous.some((s) => s.has(t)));
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

/** Reads a question against the conversation so far. */
export function readFollowUp(question: string, history: Turn[] | undefined, known?: KnownTerms): FollowUpReading {
  const previous = lastAnsweredTurn(history);
  if (!previous) return { mode: 'standalone' };
  const cited = previous.answer.citations.map((c) => c.paperId);
  // A "which papers" question asks past the previous answer; any other whose rare word is the
  // previous paper's own ("how long do the traps need to be" after the copyright-traps paper)
  // stays with it, and only a name can move it elsewhere.
  const list = asksForList(question);
  const anchored = !!known && !list && holdsRareWordOf(question, cited, known);
  const fresh = known ? newSubjects(question, cited, known).filter((token) => !anchored || (NAME_LIKE.test(token) && !SIZE.test(token))) : [];
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

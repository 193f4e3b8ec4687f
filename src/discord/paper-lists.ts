/** Turns search hits and similar papers into list items with a one-line evidence snippet each. */
import type { SimilarPaper } from '../browse/types.js';
import type { Paper } from '../corpus/paper.js';
import type { PaperHit } from '../retrieval/types.js';
import type { ListedPaper } from './format.js';

/** A similar paper's snippet is its opening sentence: what it is about, in one line. */
export function similarItems(similar: (SimilarPaper & { paper: Paper })[]): ListedPaper[] {
  return similar.map((s) => ({ paper: s.paper, score: s.score, snippet: firstSentence(s.paper.abstract) }));
}

/** A hit's snippet is its best passage for the query. */
export function searchItems(hits: PaperHit[]): ListedPaper[] {
  return hits.map((h) => ({ paper: h.paper, snippet: h.passages[0]?.text ?? firstSentence(h.paper.abstract) }));
}

function firstSentence(text: string): string {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])/)[0] ?? text;
}

/**
 * Why a question was declined, in plain words for the reply itself: "None of the papers here
 * mentions sourdough or bakery.", "The collection never mentions ImageNet.", "The closest papers
 * are about machine unlearning, not road traffic."
 */
import type { PaperHit } from '../retrieval/types.js';
import type { DeclineWhy } from './decide.js';

/** "a", "a or b", "a, b or c". */
function either(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quoted(title: string): string {
  return `“${title.length > 90 ? `${title.slice(0, 89)}…` : title}”`;
}

/** One or two sentences saying why; empty when there is no reason to give. */
export function declineText(why: DeclineWhy | undefined, hits: PaperHit[], topicOf: (paperId: string) => string | undefined): string {
  if (!why) return '';
  const best = hits[0];
  switch (why.kind) {
    case 'no-match':
      return 'No paper matched any of its words.';
    case 'unknown-names':
      return `The collection never mentions ${either(why.names)}.`;
    case 'unknown-words':
      return `None of the papers here mentions ${either(why.words.slice(0, 3))}.`;
    case 'weak': {
      const label = best ? topicOf(best.paperId)?.split(' · ').join(' and ') : undefined;
      const about = label ? `The closest papers are about ${label}` : best ? `The closest paper is ${quoted(best.paper.title)}` : 'The closest papers';
      return why.missing.length ? `${about}, not ${either(why.missing)}.` : `${about}, and none of them answers this.`;
    }
    case 'premise':
      if (!best) return '';
      if (why.premise === 'absolute') return `The closest paper, ${quoted(best.paper.title)}, does not say "${why.detail}".`;
      if (why.premise === 'version') return `The closest paper, ${quoted(best.paper.title)}, never names ${why.detail}.`;
      return `The question assumes something the closest paper, ${quoted(best.paper.title)}, does not say: ${why.detail}.`;
  }
}

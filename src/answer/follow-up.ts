/** Follow-up questions without a model: does a question lean on the previous turn, and what to add to it. */
import type { Turn } from './types.js';
import { contentTerms } from './terms.js';

const LEANING =
  /^(?:and|but|so|also|what about|how about|and what|what else|why|how come|tell me more|more on|more about|go on|elaborate|same for|compared)\b|\b(?:it|its|it's|they|them|their|theirs|this|that|these|those|the (?:paper|papers|method|methods|model|models|approach|authors|study|work|results?|first|second|third|former|latter|same)|such|there|he|she|his|her)\b/i;

/**
 * True when a question probably depends on the previous turn: it uses a pronoun or a "what about"
 * opening, or it has too few content words to stand alone.
 */
export function leansOnPrevious(question: string): boolean {
  const terms = contentTerms(question);
  return LEANING.test(question.trim()) || terms.length <= 1;
}

/** The last turn that actually answered (a declined turn has no papers to keep in view). */
export function lastAnsweredTurn(history: Turn[] | undefined): Turn | undefined {
  if (!history) return undefined;
  for (let i = history.length - 1; i >= 0; i--) if (!history[i].answer.refused) return history[i];
  return undefined;
}

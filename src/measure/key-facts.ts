/**
 * Key facts: what a good answer to a labelled question must state, written next to the questions
 * in test/fixtures/*.json from the relevant paper's abstract (see docs/questions.md).
 */

/** One fact a good answer contains, with the terms that show an answer states it. */
export interface KeyFact {
  /** The fact in plain words, for people reading the fixtures and reports. */
  text: string;
  /** 1-3 key terms, each with alternatives separated by `|`; every term must occur in the answer. */
  keys: string[];
}

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ');

/**
 * True when `text` states the fact: every key has at least one of its `|`-separated alternatives
 * in the text, case-insensitive, as a substring (so "forget" also matches "forgetting").
 */
export function factStated(fact: KeyFact, text: string): boolean {
  const haystack = normalise(text);
  return fact.keys.every((key) => key.split('|').some((alt) => haystack.includes(normalise(alt.trim()))));
}

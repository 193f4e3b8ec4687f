/**
 * Typo correction before retrieval: a question word that neither the collection nor an English
 * dictionary knows is replaced by the collection word closest to it (fewest edits, a swap of two
 * letters counting as one; then the word sharing its first letter; then the most frequent), so
 * "wat dos lora droput do agianst overfiting?" searches for "lora dropout against overfitting".
 * Real English words are left alone even when the collection never uses them ("sourdough",
 * "tyre"), so an off-topic question is not bent towards the collection; a British spelling whose
 * American form the collection uses is read as that form ("optimised" as "optimized"). Names (acronyms, mixed case,
 * digits: "MIGU", "LoRA", "GPT-5") are never changed: an unknown name is a fact about the
 * question, not a typo. Candidates come from an index of the collection's words with one letter
 * deleted (the SymSpell idea), built on the first unknown word.
 */
import dictionary from 'dictionary-en';
import dictionaryGb from 'dictionary-en-gb';
import nspell from 'nspell';
import { NAME_LIKE } from './names.js';
import type { CollectionStats } from './collection-stats.js';
import { editDistance } from '../browse/title-lookup.js';

/** One word read differently. */
export interface Correction {
  from: string;
  to: string;
}

export interface SpelledText {
  /** The text with each correction applied (everything else as typed). */
  text: string;
  corrections: Correction[];
}

/** Words shorter than this are too ambiguous to correct ("wat" is one edit from "was", "what", "at"). */
const MIN_LENGTH = 4;
/** Words of at least this length may be two edits away from their correction. */
const TWO_EDITS_FROM = 8;

/** Whether a lower-cased word is English: 'us' (American or common), 'gb' (British only) or false. */
export type English = (word: string) => 'us' | 'gb' | false;
let english: English | undefined;

/** Hunspell's en-US and en-GB dictionaries (affixes applied), loaded on first use (about 0.3 s). */
function englishDictionaries(): English {
  if (!english) {
    const us = nspell({ aff: Buffer.from(dictionary.aff), dic: Buffer.from(dictionary.dic) });
    const gb = nspell({ aff: Buffer.from(dictionaryGb.aff), dic: Buffer.from(dictionaryGb.dic) });
    english = (word) => (us.correct(word) ? 'us' : gb.correct(word) ? 'gb' : false);
  }
  return english;
}

/** American forms of a British spelling: -ise/-isation, -our, -yse, -re, doubled l. */
function americanForms(word: string): string[] {
  return [
    word.replace(/is(e|ed|es|ing|ation|ations|er|ers)$/, 'iz$1'),
    word.replace(/our(s|ed|ing|able|ite|ites)?$/, 'or$1'),
    word.replace(/ys(e|ed|es|ing)$/, 'yz$1'),
    word.replace(/([^aeiou])re(s|d)?$/, '$1er$2'),
    word.replace(/ll(ed|ing|er|ers)$/, 'l$1'),
  ].filter((w) => w !== word);
}

function deletes(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

export class SpellCorrector {
  private index?: Map<string, string[]>;

  /**
   * @param stats the collection's word frequencies and names
   * @param isEnglish whether a lower-cased word is English (default: Hunspell's en-US and en-GB dictionaries)
   */
  constructor(
    private readonly stats: CollectionStats,
    private readonly isEnglish?: English,
  ) {}

  /** The text with its unknown words corrected, and the list of changes. */
  correct(text: string): SpelledText {
    const corrections: Correction[] = [];
    const out = text.replace(/[\p{L}\p{N}][\p{L}\p{N}.'’-]*[\p{L}\p{N}]|\p{L}/gu, (token) => {
      if (NAME_LIKE.test(token) || /\d/.test(token) || (token.match(/\p{Lu}/gu)?.length ?? 0) > 1) return token;
      return token
        .split(/(-)/)
        .map((part) => {
          const fixed = part === '-' ? part : this.correctWord(part);
          if (fixed !== part) corrections.push({ from: part, to: fixed });
          return fixed;
        })
        .join('');
    });
    return { text: out, corrections };
  }

  /** One word's correction, or the word itself. */
  correctWord(word: string): string {
    if (word.length < MIN_LENGTH || !/^\p{L}+$/u.test(word)) return word;
    const lower = word.toLowerCase();
    if (this.stats.knowsWord(lower)) return word;
    const isEnglish = (this.isEnglish ?? englishDictionaries())(lower);
    const best = isEnglish === 'us' ? undefined : isEnglish === 'gb' ? americanForms(lower).find((w) => this.stats.knowsWord(w)) : this.closest(lower);
    if (!best) return word;
    return /^\p{Lu}/u.test(word) ? best[0].toUpperCase() + best.slice(1) : best;
  }

  /** The closest collection word within the allowed edits, or undefined. */
  private closest(word: string): string | undefined {
    const index = this.buildIndex();
    const maxEdits = word.length >= TWO_EDITS_FROM ? 2 : 1;
    const keys = new Set([word, ...deletes(word)]);
    if (maxEdits > 1) for (const d of [...keys]) for (const dd of deletes(d)) keys.add(dd);
    let best: { word: string; distance: number; sameFirst: boolean; freq: number } | undefined;
    const seen = new Set<string>();
    for (const key of keys) {
      for (const candidate of index.get(key) ?? []) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        const distance = editDistance(word, candidate, maxEdits);
        if (distance > maxEdits) continue;
        const c = { word: candidate, distance, sameFirst: candidate[0] === word[0], freq: this.stats.wordFreq.get(candidate) ?? 0 };
        if (
          !best ||
          c.distance < best.distance ||
          (c.distance === best.distance && (c.sameFirst !== best.sameFirst ? c.sameFirst : c.freq > best.freq || (c.freq === best.freq && c.word < best.word)))
        ) {
          best = c;
        }
      }
    }
    return best?.word;
  }

  private buildIndex(): Map<string, string[]> {
    if (this.index) return this.index;
    const index = new Map<string, string[]>();
    const add = (key: string, word: string) => {
      const list = index.get(key);
      if (list) list.push(word);
      else index.set(key, [word]);
    };
    for (const word of this.stats.wordFreq.keys()) {
      if (word.length < MIN_LENGTH - 1 || !/^[a-z]+$/.test(word)) continue;
      add(word, word);
      for (const d of new Set(deletes(word))) add(d, word);
    }
    this.index = index;
    return index;
  }
}

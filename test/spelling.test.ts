import { describe, expect, it } from 'vitest';
import { collectionStats } from '../src/retrieval/collection-stats.js';
import { editDistance } from '../src/browse/title-lookup.js';
import { SpellCorrector } from '../src/retrieval/spelling.js';
import { seedPapers } from './helpers/lexical-retrieve.js';

const stats = collectionStats(seedPapers());
const speller = new SpellCorrector(stats);

describe('typo correction against the collection', () => {
  it('corrects the words the collection and the dictionary do not know, and lists each change', () => {
    expect(speller.correct('wat dos lora droput do agianst overfiting?')).toEqual({
      text: 'wat dos lora dropout do against overfitting?',
      corrections: [
        { from: 'droput', to: 'dropout' },
        { from: 'agianst', to: 'against' },
        { from: 'overfiting', to: 'overfitting' },
      ],
    });
    expect(speller.correct('what is catastrophic forgeting').text).toBe('what is catastrophic forgetting');
    expect(speller.correct('fine-tunning').text).toBe('fine-tuning');
  });

  it('keeps the case of a capitalised word it corrects', () => {
    expect(speller.correct('Droput in LoRA').text).toBe('Dropout in LoRA');
  });

  it('leaves real English words alone even when the collection never uses them', () => {
    for (const q of ['how do I bake sourdough bread?', 'who won the cup final', 'how do I change a flat tyre']) expect(speller.correct(q).corrections, q).toEqual([]);
  });

  it('reads a British spelling as the American one the collection uses', () => {
    expect(speller.correct('optimised labelling').corrections).toEqual([
      { from: 'optimised', to: 'optimized' },
      { from: 'labelling', to: 'labeling' },
    ]);
  });

  it('never changes names: acronyms, mixed case, digits', () => {
    for (const q of ['What does MIGU do?', 'is GPT-5 better than GPT-4?', 'what is AlphaFolf', 'TÜLU recipes', 'LoRa or QLoRA'])
      expect(speller.correct(q).corrections, q).toEqual([]);
  });

  it('does not guess at short words', () => {
    expect(speller.correct('wat abt rag').corrections).toEqual([]);
  });

  it('counts a swap of two letters as one edit', () => {
    expect(editDistance('agianst', 'against')).toBe(1);
    expect(editDistance('droput', 'dropout')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('names the collection knows', () => {
  it('knows an all-caps name whose letters are the initials of consecutive words of the collection', () => {
    // "singular value decomposition" occurs; "SVD" itself does not.
    expect(stats.wordFreq.has('svd')).toBe(false);
    expect(stats.knowsName('SVD')).toBe(true);
    expect(stats.knowsName('MIGU')).toBe(true);
    expect(stats.knowsName('XQZ')).toBe(false);
    expect(stats.knowsName('AlphaFold')).toBe(false);
  });
});

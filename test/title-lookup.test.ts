import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { editDistance, paperAliases, TitleIndex } from '../src/browse/title-lookup.js';

const papers = loadCorpus('seeds').papers;
const index = TitleIndex.fromPapers(papers);
const top = (query: string) => index.search(query, 5)[0]?.title;

describe('title lookup on the seed titles', () => {
  it('finds a title from partial words', () => {
    expect(top('lora drop')).toBe('A LoRA Dropout mechanism for the LoRA-based methods');
    expect(top('hedgehog porc')).toBe('The Hedgehog & the Porcupine: Expressive Linear Attentions with Softmax Mimicry');
    expect(top('scaling laws downstream')).toBe('Scaling Laws for Downstream Task Performance of Large Language Models');
  });

  it('ignores case and accents', () => {
    expect(top('LORA DROPOUT')).toBe('A LoRA Dropout mechanism for the LoRA-based methods');
    expect(top('tulu 3')).toBe('TÜLU 3: Pushing Frontiers in Open Language Model Post-Training');
  });

  it('forgives misspelled words', () => {
    expect(top('catastrophic forgeting implicit')).toBe('Understanding Catastrophic Forgetting in Language Models via Implicit Inference');
    expect(top('negatve prefrence optimisation')).toBe('Negative Preference Optimization: From Catastrophic Collapse to Effective Unlearning');
    expect(top('machine unlerning influence')).toBe('Efficient Machine Unlearning via Influence Approximation');
  });

  it('finds a method name the abstract introduces, such as MIGU', () => {
    expect(top('MIGU')).toBe('Unlocking Continual Learning Abilities in Language Models');
    expect(top('migu')).toBe('Unlocking Continual Learning Abilities in Language Models');
  });

  it('finds acronyms at the start of a title and initial-letter acronyms', () => {
    expect(top('RWKU')).toBe('RWKU: Benchmarking Real-World Knowledge Unlearning for Large Language Models');
    expect(top('npo')).toBe('Negative Preference Optimization: From Catastrophic Collapse to Effective Unlearning');
  });

  it('ranks the best match first with scores in (0, 1]', () => {
    const results = index.search('instruction tuning', 10);
    expect(results.length).toBeGreaterThan(3);
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
    for (const r of results) {
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it('returns nothing for an unknown title or an empty query', () => {
    expect(index.search('xyzzy plugh qwerty')).toEqual([]);
    expect(index.search('   ')).toEqual([]);
  });

  it('respects the limit', () => {
    expect(index.search('learning', 3)).toHaveLength(3);
  });
});

describe('helpers', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('contiunal', 'continual')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'xyzabc', 1)).toBe(2);
  });

  it('takes the names an abstract introduces, not the field-wide acronyms', () => {
    const migu = papers.find((p) => p.title === 'Unlocking Continual Learning Abilities in Language Models')!;
    expect(paperAliases(migu)).toContain('MIGU');
    expect(paperAliases(migu)).not.toContain('CL');
  });
});

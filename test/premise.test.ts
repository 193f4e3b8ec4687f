import { describe, expect, it } from 'vitest';
import { contradiction, premiseProblem } from '../src/answer/premise.js';
import { leansOnPrevious } from '../src/answer/follow-up.js';
import { contentTerms } from '../src/answer/terms.js';
import { collectionStats } from '../src/retrieval/collection-stats.js';
import { seedPaper, seedPapers } from './helpers/lexical-retrieve.js';

const stats = collectionStats(seedPapers());
const idf = (t: string) => stats.idf(t);
const text = (titlePart: string) => {
  const p = seedPaper(titlePart);
  return `${p.title} ${p.abstract}`;
};
const bird = text('Can LLM Already Serve as A Database Interface');
const lud = text('Decoding at the Speed of Thought');
const fourier = text('Fourier Head');
const npo = text('Negative Preference Optimization');
const tulu = text('Pushing Frontiers in Open Language Model Post-Training');

describe('premise checks', () => {
  it('flag a "why" question whose absolute claim the best paper does not make', () => {
    expect(premiseProblem('why does the BIRD benchmark always use databases with fewer than ten rows?', bird, idf)).toEqual({ kind: 'absolute', detail: 'always' });
    // Without "why" nothing is presupposed.
    expect(premiseProblem('does the BIRD benchmark always use small databases?', bird, idf)).toBeUndefined();
  });

  it('flag a "why" question whose premise the closest passage of the paper negates', () => {
    const problem = premiseProblem('why does Lexical Unit Decoding need an auxiliary draft model to propose tokens?', lud, idf);
    expect(problem?.kind).toBe('contradiction');
    expect(problem?.detail).toContain('requires no auxiliary models');
  });

  it('flag a "why" question asserting the opposite direction of what the paper reports', () => {
    expect(contradiction("why does the Fourier head hurt the Decision Transformer's returns on Atari?", fourier, idf)).toMatch(/not "hurt"/);
    expect(contradiction('why does NPO reach catastrophic collapse faster than gradient ascent?', npo, idf)).toMatch(/"slower", not "faster"/);
  });

  it('pass "why" questions whose premise the paper states, negations included', () => {
    for (const [question, paper] of [
      ["why does the Fourier head improve the Decision Transformer's returns on Atari?", fourier],
      ['why does NPO avoid the catastrophic collapse that gradient ascent suffers during unlearning?', npo],
      ['why does Lexical Unit Decoding not need an auxiliary draft model?', lud],
    ] as const) {
      expect(premiseProblem(question, paper, idf), question).toBeUndefined();
    }
  });

  it('flag a version of a name the paper mentions only in other versions', () => {
    expect(premiseProblem('which Llama 2 base models was TÜLU 3 built on?', tulu, idf)).toEqual({ kind: 'version', detail: 'Llama 2' });
    expect(premiseProblem('which Llama 3 base models was TÜLU 3 built on?', tulu, idf)).toBeUndefined();
  });
});

describe('terms and follow-ups', () => {
  it('folds British spellings and hyphens into the American stems, and leaves "for" alone', () => {
    expect(contentTerms('specialised behaviour memorises')).toEqual(contentTerms('specialized behavior memorizes'));
    expect(contentTerms('fine-tuning')).toEqual(expect.arrayContaining(contentTerms('fine tuning')));
    expect(contentTerms('promise')).toEqual(['promis']);
    expect(contentTerms('used for lora')).toEqual(['lora']);
    expect(contentTerms('four hours')).toEqual(['four', 'hour']);
  });

  it('tells a follow-up that leans on the previous turn from a fresh question', () => {
    expect(leansOnPrevious('what about its results?')).toBe(true);
    expect(leansOnPrevious('how did they evaluate it?')).toBe(true);
    expect(leansOnPrevious('which benchmarks measure text-to-SQL hallucinations in large databases?')).toBe(false);
  });
});

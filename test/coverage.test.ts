import { describe, expect, it } from 'vitest';
import { assessCoverage, buildVocabulary, coverageFeatures } from '../src/answer/coverage.js';
import { leansOnPrevious } from '../src/answer/follow-up.js';
import { contentTerms } from '../src/answer/terms.js';
import { fixedRetrieve, seedPaper, seedPapers } from './helpers/lexical-retrieve.js';

const vocabulary = buildVocabulary(seedPapers());
const migu = seedPaper('Unlocking Continual Learning Abilities');
const bird = seedPaper('Can LLM Already Serve as A Database Interface');
const lud = seedPaper('Decoding at the Speed of Thought');
const fourier = seedPaper('Fourier Head');
const npo = seedPaper('Negative Preference Optimization');
const tulu = seedPaper('Pushing Frontiers in Open Language Model Post-Training');

async function decide(question: string, papers = [migu], dense = 0.6) {
  const response = await fixedRetrieve(papers, { dense, bm25: 10 })(question);
  return assessCoverage(question, response, { vocabulary });
}

describe('assessCoverage', () => {
  it('declines when the evidence is weak on every count, and not when one paper stands out', async () => {
    const question = 'how do continual learning methods for language models forecast road traffic?';
    const five = [bird, migu, lud, fourier, npo];
    const flat = await fixedRetrieve(five, { dense: 0.6, bm25: 20, score: 2 })(question);
    const weak = assessCoverage(question, flat, { vocabulary });
    expect(weak.features.scoreMargin).toBe(0);
    expect(weak.features.weightedOverlap).toBeLessThan(0.5);
    expect(weak.covered).toBe(false);
    expect(weak.reason).toMatch(/^weak evidence: BM25 20, \d+% of the question's weight, no paper stands out \(margin 0\.00\)/);
    // The same papers, but the first far ahead of the rest: answered.
    const peaked = { ...flat, hits: flat.hits.map((h, i) => ({ ...h, score: i === 0 ? 3 : 2 })) };
    expect(assessCoverage(question, peaked, { vocabulary }).covered).toBe(true);
    // A lead owed only to the retriever's bonus for a shared name is no lead.
    const named = { ...flat, hits: flat.hits.map((h, i) => (i === 0 ? { ...h, score: 3, nameBonus: 1 } : h)) };
    expect(assessCoverage(question, named, { vocabulary }).features.scoreMargin).toBe(0);
    expect(assessCoverage(question, named, { vocabulary }).covered).toBe(false);
    // A strong lexical match is not weak evidence either.
    const strong = { ...flat, hits: flat.hits.map((h) => ({ ...h, bm25: 200 })) };
    expect(assessCoverage(question, strong, { vocabulary }).covered).toBe(true);
  });

  it('answers a question the best paper speaks to', async () => {
    expect((await decide('how does magnitude-based gradient updating help continual learning in language models?')).covered).toBe(true);
  });

  it('declines a question that names something the collection never mentions', async () => {
    const d = await decide('how does AlphaFold predict continual learning of protein structures?');
    expect(d.covered).toBe(false);
    expect(d.reason).toContain('AlphaFold');
  });

  it('declines a "why" question whose absolute claim the best paper does not make', async () => {
    const d = await decide('why does the BIRD benchmark always use databases with fewer than ten rows?', [bird]);
    expect(d.features.unsupportedAbsolute).toBe('always');
    expect(d.covered).toBe(false);
  });

  it('declines a "why" question whose premise the closest passage of the paper negates', async () => {
    const d = await decide('why does Lexical Unit Decoding need an auxiliary draft model to propose tokens?', [lud]);
    expect(d.covered).toBe(false);
    expect(d.features.contradictedPremise).toContain('requires no auxiliary models');
  });

  it('declines a "why" question asserting the opposite direction of what the paper reports', async () => {
    const hurt = await decide("why does the Fourier head hurt the Decision Transformer's returns on Atari?", [fourier]);
    expect(hurt.covered).toBe(false);
    expect(hurt.features.contradictedPremise).toMatch(/not "hurt"/);
    const faster = await decide('why does NPO reach catastrophic collapse faster than gradient ascent?', [npo]);
    expect(faster.features.contradictedPremise).toMatch(/"slower", not "faster"/);
  });

  it('answers "why" questions whose premise the paper states, negations included', async () => {
    for (const [question, paper] of [
      ["why does the Fourier head improve the Decision Transformer's returns on Atari?", fourier],
      ['why does NPO avoid the catastrophic collapse that gradient ascent suffers during unlearning?', npo],
      ['why does Lexical Unit Decoding not need an auxiliary draft model?', lud],
    ] as const) {
      const d = await decide(question, [paper]);
      expect(d.features.contradictedPremise, question).toBeUndefined();
      expect(d.covered, question).toBe(true);
    }
  });

  it('declines a version of a name the paper mentions only in other versions', async () => {
    const d = await decide('which Llama 2 base models was TÜLU 3 built on?', [tulu]);
    expect(d.covered).toBe(false);
    expect(d.reason).toContain('Llama 2');
    expect((await decide('which Llama 3 base models was TÜLU 3 built on?', [tulu])).covered).toBe(true);
  });

  it('declines when too few of the question\'s words are known to the collection', async () => {
    const d = await decide('what is the best sourdough bread recipe for a bakery?');
    expect(d.covered).toBe(false);
  });

  it('declines when the closest passage is far from the question', async () => {
    expect((await decide('how does magnitude-based gradient updating help continual learning?', [migu], 0.2)).covered).toBe(false);
  });

  it('weighs rare words more than common ones', async () => {
    const response = await fixedRetrieve([migu])('q');
    const rare = coverageFeatures('MIGU rehearsal forgetting banana', response, vocabulary);
    const common = coverageFeatures('language model performance banana', response, vocabulary);
    expect(rare.termOverlap).toBe(0.75);
    expect(common.termOverlap).toBe(0.75);
    expect(rare.weightedOverlap).toBeGreaterThan(common.weightedOverlap);
  });
});

describe('terms and follow-ups', () => {
  it('folds British spellings and hyphens into the American stems', () => {
    expect(contentTerms('specialised behaviour memorises')).toEqual(contentTerms('specialized behavior memorizes'));
    expect(contentTerms('fine-tuning')).toEqual(expect.arrayContaining(contentTerms('fine tuning')));
    expect(contentTerms('promise')).toEqual(['promis']);
  });

  it('tells a follow-up that leans on the previous turn from a fresh question', () => {
    expect(leansOnPrevious('what about its results?')).toBe(true);
    expect(leansOnPrevious('how did they evaluate it?')).toBe(true);
    expect(leansOnPrevious('which benchmarks measure text-to-SQL hallucinations in large databases?')).toBe(false);
  });
});

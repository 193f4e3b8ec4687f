import { describe, expect, it } from 'vitest';
import { assessCoverage, buildVocabulary, coverageFeatures } from '../src/answer/coverage.js';
import { leansOnPrevious } from '../src/answer/follow-up.js';
import { contentTerms } from '../src/answer/terms.js';
import { fixedRetrieve, seedPaper, seedPapers } from './helpers/lexical-retrieve.js';

const vocabulary = buildVocabulary(seedPapers());
const migu = seedPaper('Unlocking Continual Learning Abilities');
const bird = seedPaper('Can LLM Already Serve as A Database Interface');

async function decide(question: string, papers = [migu], dense = 0.6) {
  const response = await fixedRetrieve(papers, { dense, bm25: 10 })(question);
  return assessCoverage(question, response, { vocabulary });
}

describe('assessCoverage', () => {
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

import { describe, expect, it } from 'vitest';
import { sentencesOf } from '../src/answer/extractive.js';
import { hasFigure, sentenceRole } from '../src/answer/sentence-role.js';
import { seedPaper } from './helpers/lexical-retrieve.js';

/** The roles of a seed paper's sentences, by the sentence's opening words. */
function roles(titlePart: string): Map<string, string> {
  const sentences = sentencesOf(seedPaper(titlePart).abstract);
  return new Map(sentences.map((s, i) => [s.split(' ').slice(0, 4).join(' '), sentenceRole(s, i, sentences.length)]));
}

describe('sentenceRole on seed abstracts', () => {
  it("tells the MIGU paper's set-up from its method and findings", () => {
    const r = roles('Unlocking Continual Learning Abilities');
    expect(r.get('Language models (LMs) exhibit')).toBe('setup');
    expect(r.get('However, LMs struggle with')).toBe('setup');
    expect(r.get('Existing approaches usually address')).toBe('setup');
    expect(r.get('We introduce MIGU (MagnItude-based')).toBe('method');
    expect(r.get('Our experiments demonstrate that')).toBe('finding');
    // "For example, " is dropped as a lead-in, so the figure sentence stands alone.
    expect(r.get('MIGU brings a 15.2%')).toBe('finding');
  });

  it('reads "have significantly improved" in an opening sentence as set-up, and a measured gain as a finding', () => {
    const r = roles('Before Generation, Align it');
    expect(r.get('Large Language Models (LLMs)')).toBe('setup');
    expect(r.get('Despite these advancements, the')).toBe('setup');
    expect(r.get('We then introduce a')).toBe('method');
    expect(r.get('It enhances the performance')).toBe('finding');
  });
});

describe('hasFigure', () => {
  it('finds percentages, multiples, points and decimals, not model names or small counts', () => {
    expect(hasFigure('MIGU brings a 15.2% average accuracy improvement.')).toBe(true);
    expect(hasFigure('fine-tuning adds 6 p.p. over the base model.')).toBe(true);
    expect(hasFigure('a 3x speed-up')).toBe(true);
    expect(hasFigure('a 208 million parameter decoder')).toBe(true);
    expect(hasFigure('it reaches 40.08 in execution accuracy')).toBe(true);
    expect(hasFigure('we evaluate GPT-4 and Llama2 on three tasks.')).toBe(false);
    expect(hasFigure('T5, RoBERTa, and Llama2')).toBe(false);
  });
});

/**
 * The configured LLM backend for real, outside `npm test` (run with `npm run test:int`): skipped
 * when LLM_PROVIDER is extractive. Needs the index (`npm run index`) and the provider's settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { createLitbot, type Litbot } from '../src/litbot.js';
import { citationProblems } from '../src/measure/answer-eval.js';

const config = loadConfig();

describe.skipIf(config.LLM_PROVIDER === 'extractive')(`the ${config.LLM_PROVIDER} backend`, () => {
  let litbot: Litbot;
  beforeAll(async () => {
    litbot = await createLitbot({ env: config, buildIfMissing: true });
  });
  afterAll(() => litbot?.close());

  it('streams a grounded answer whose citations are all valid', async () => {
    const streamed: string[] = [];
    const result = await litbot.ask('How can language models keep learning new tasks without catastrophic forgetting?', { onToken: (t) => streamed.push(t) });
    expect(result.note).toBeUndefined();
    expect(result.refused).toBe(false);
    expect(result.citations.length).toBeGreaterThan(0);
    expect(citationProblems(result, (id) => litbot.paperById(id))).toEqual([]);
    expect(streamed.length).toBeGreaterThan(1);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('folds a follow-up into a standalone question', async () => {
    const first = await litbot.ask('What makes text-to-SQL models hallucinate less?');
    const second = await litbot.ask('What kinds of hallucinations did they find?', { history: [{ question: 'What makes text-to-SQL models hallucinate less?', answer: first }] });
    expect(second.standaloneQuestion).toMatch(/SQL/i);
  });
});

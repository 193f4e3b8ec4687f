import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECISION, DECISION_FEATURES, answerProbability, decide, type DecisionFeatures } from '../src/answer/decide.js';
import { declineText } from '../src/answer/decline-text.js';
import { loadConfig } from '../src/config/env.js';
import { buildIndex } from '../src/indexing/build-index.js';
import { UseLiteEmbedder } from '../src/indexing/embeddings/use-lite.js';
import { createLitbot, indexBuildHooks, type Litbot } from '../src/litbot.js';
import { collectionStats } from '../src/retrieval/collection-stats.js';
import { fixedRetrieve, hitFor, seedPaper, seedPapers } from './helpers/lexical-retrieve.js';

const stats = collectionStats(seedPapers());
const migu = seedPaper('Unlocking Continual Learning Abilities');
const loraDropout = seedPaper('LoRA Dropout');

/** The features at their tuning means, with some changed. */
function typical(changes: Partial<DecisionFeatures> = {}): DecisionFeatures {
  const base = Object.fromEntries(DECISION.features.map((f, i) => [f, DECISION.mean[i]])) as DecisionFeatures;
  return { ...base, ...changes };
}

describe('the fitted answer/decline decision', () => {
  it('is one logistic model over the listed signals, with its threshold and nearness in the weights file', () => {
    expect(DECISION.features.every((f) => DECISION_FEATURES.includes(f))).toBe(true);
    expect(DECISION.features.length).toBeGreaterThanOrEqual(DECISION_FEATURES.length - 2);
    for (const list of [DECISION.mean, DECISION.std, DECISION.weights]) expect(list).toHaveLength(DECISION.features.length);
    expect(DECISION.threshold).toBeGreaterThan(0);
    expect(DECISION.threshold).toBeLessThan(1);
    expect(DECISION.near).toBeLessThanOrEqual(DECISION.threshold);
    expect(DECISION.target).toMatch(/answerable questions/);
  });

  it('grows more willing to answer as one paper stands out, holds more of the question and its words are known', () => {
    const base = answerProbability(typical());
    const std = (f: keyof DecisionFeatures) => DECISION.std[DECISION.features.indexOf(f)];
    expect(answerProbability(typical({ margin: DECISION.mean[1] + 2 * std('margin') }))).toBeGreaterThan(base);
    expect(answerProbability(typical({ weightedOverlap: 1 }))).toBeGreaterThan(answerProbability(typical({ weightedOverlap: 0.1 })));
    expect(answerProbability(typical({ knownShare: 1 }))).toBeGreaterThan(answerProbability(typical({ knownShare: 0.3 })));
    expect(answerProbability(typical({ unknownNames: 1 }))).toBeLessThan(base);
  });

  it('treats a signal the retriever did not give as typical', () => {
    expect(answerProbability(typical({ topScore: undefined, margin: undefined }))).toBeCloseTo(answerProbability(typical()), 9);
  });

  it('declines a question naming something the collection never mentions, and says so', async () => {
    const question = 'how does AlphaFold predict continual learning of protein structures?';
    const d = decide(question, await fixedRetrieve([migu])(question), { stats });
    expect(d.answer).toBe(false);
    expect(d.why).toEqual({ kind: 'unknown-names', names: ['AlphaFold'] });
    expect(declineText(d.why, [], () => undefined)).toBe('The collection never mentions AlphaFold.');
  });

  it('declines a question whose words the collection does not use, naming them', async () => {
    const question = 'what is the best sourdough bread recipe for a bakery?';
    const d = decide(question, await fixedRetrieve([migu], { dense: 0.1, bm25: 1 })(question), { stats });
    expect(d.answer).toBe(false);
    expect(d.why?.kind).toBe('unknown-words');
    expect(declineText(d.why, [], () => undefined)).toMatch(/^None of the papers here mentions (sourdough|bread|bakery)/);
    // Far from every topic: no nearest topics to offer.
    expect(d.near).toBe(false);
  });

  it('answers a question the best paper speaks to', async () => {
    const question = 'how does magnitude-based gradient updating help continual learning in language models?';
    expect(decide(question, await fixedRetrieve([migu, loraDropout])(question), { stats }).answer).toBe(true);
  });

  it('declines a "why" question whose premise the best paper contradicts, quoting it', async () => {
    const lud = seedPaper('Decoding at the Speed of Thought');
    const question = 'why does Lexical Unit Decoding need an auxiliary draft model to propose tokens?';
    const d = decide(question, await fixedRetrieve([lud])(question), { stats });
    expect(d.answer).toBe(false);
    expect(d.why).toMatchObject({ kind: 'premise', premise: 'contradiction' });
    expect(declineText(d.why, [hitFor(lud)], () => undefined)).toMatch(/requires no auxiliary models/);
  });

  it('says what the closest papers are about when the words are known but no paper fits', () => {
    const text = declineText({ kind: 'weak', missing: ['traffic', 'roads'] }, [hitFor(migu)], () => 'continual learning · catastrophic forgetting');
    expect(text).toBe('The closest papers are about continual learning and catastrophic forgetting, not traffic or roads.');
  });
});

/** The questions, on all the seed papers with the real embedding model. */
describe('answering and declining on the real seed papers with USE-lite', () => {
  let litbot: Litbot;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-decide-'));
    const env = loadConfig({ CORPUS_DIR: 'seeds', INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), LOG_LEVEL: 'silent' });
    const embedder = new UseLiteEmbedder();
    await buildIndex({ corpusDir: 'seeds', indexDir: env.INDEX_DIR, cacheDir: env.CACHE_DIR, embedder, ...indexBuildHooks(env) });
    litbot = await createLitbot({ env, embedder, log: () => {} });
  }, 600_000);
  afterAll(async () => litbot?.close());

  it('answers short questions that name a method or a topic of the collection', async () => {
    const miguAnswer = await litbot.ask('What does MIGU do?');
    expect(miguAnswer.refused).toBe(false);
    expect(miguAnswer.citations[0].paperId).toBe(migu.id);

    const forgetting = await litbot.ask('what is catastrophic forgetting?');
    expect(forgetting.refused).toBe(false);
    expect(forgetting.citations.some((c) => /catastrophic forgetting/i.test(`${litbot.paperById(c.paperId)?.title} ${litbot.paperById(c.paperId)?.abstract}`))).toBe(true);

    expect((await litbot.ask('tell me about fine-tuning')).refused).toBe(false);
  });

  it('reads a name typed without its accent as the name ("tulu" for TÜLU)', async () => {
    const tulu = seedPaper('TÜLU 3');
    const result = await litbot.ask('what is tulu 3');
    expect(result.refused).toBe(false);
    expect(result.citations[0].paperId).toBe(tulu.id);
  });

  it('reads a misspelled question against the collection, answers it and says what it searched for', async () => {
    const result = await litbot.ask('wat dos lora droput do agianst overfiting?');
    expect(result.refused).toBe(false);
    expect(result.citations.map((c) => c.paperId)).toContain(loraDropout.id);
    expect(result.searchedFor).toBe('lora dropout overfitting');
    expect(result.corrections).toEqual([
      { from: 'droput', to: 'dropout' },
      { from: 'agianst', to: 'against' },
      { from: 'overfiting', to: 'overfitting' },
    ]);
  });

  it('declines off-topic questions with the reason in the reply, and offers no topics when none is near', async () => {
    for (const question of ['how do I make a good lasagna?', 'who won the champions league final last night?', 'what is the protocol for a western blot?']) {
      const result = await litbot.ask(question);
      expect(result.refused, question).toBe(true);
      expect(result.citations).toEqual([]);
      expect(result.answer, question).toMatch(/None of the papers here mentions|The collection never mentions|The closest papers? (are|is)/);
    }
    const cooking = await litbot.ask('how do I make a good lasagna?');
    expect(cooking.answer).toContain('None of the papers here mentions lasagna.');
    expect(cooking.suggestions).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { buildIndex } from '../src/indexing/build-index.js';
import { UseLiteEmbedder } from '../src/indexing/embeddings/use-lite.js';
import { loadIndex } from '../src/indexing/load-index.js';
import { nameTokens } from '../src/retrieval/names.js';
import { RANK_FEATURES, RANKER, rankScore } from '../src/retrieval/ranker.js';
import { Retriever } from '../src/retrieval/retriever.js';
import { UserError } from '../src/errors.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';

/** Twenty real seed papers, as JSON Lines, so the real model embeds them in seconds. */
const PICK = [
  'Unlocking Continual Learning Abilities in Language Models',
  'Understanding Catastrophic Forgetting in Language Models via Implicit Inference',
  'Before Generation, Align it!',
  'Can LLM Already Serve as A Database Interface?',
  'SyNDock',
  'Quantum Visual Fields',
  'Efficient Machine Unlearning via Influence Approximation',
  'Large Concept Models',
  'UniTalker',
  'GigaCheck',
  'Scaling Laws for Downstream Task Performance',
  'The Hedgehog & the Porcupine',
  'Efficient Prompt Tuning by Multi-Space Projection',
  'MentalGLM Series',
  'Task-Specific Skill Localization',
  'Instruction Tuned Models are Quick Learners',
  'Multi-Head Adapter Routing',
  'Parameter-Efficient Transfer Learning of Audio Spectrogram Transformers',
  'A Survey on Knowledge Distillation of Large Language Models',
  'Multi-order Graph Clustering',
];

describe('hybrid retrieval on real seed abstracts with USE-lite', () => {
  const seeds = loadCorpus('seeds').papers;
  const picked = PICK.map((prefix) => seeds.find((p) => p.title.startsWith(prefix))!);
  const loraDropout = seeds.find((p) => p.title === 'A LoRA Dropout mechanism for the LoRA-based methods')!;
  let retriever: Retriever;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-retrieval-'));
    mkdirSync(join(root, 'corpus'));
    const lines = [...picked, loraDropout].map((p) => JSON.stringify({ title: p.titleDerived ? undefined : p.title, abstract: p.abstract, date: p.isoDate }));
    writeFileSync(join(root, 'corpus', 'picked.jsonl'), `${lines.join('\n')}\n`);
    const embedder = new UseLiteEmbedder();
    await buildIndex({ corpusDir: join(root, 'corpus'), indexDir: join(root, 'index'), cacheDir: join(root, 'cache'), embedder });
    retriever = new Retriever(await loadIndex(join(root, 'index'), embedder), embedder);
  }, 240_000);

  it('finds continual-learning papers for a question phrased without their words', async () => {
    const { hits } = await retriever.search('how do I keep an LLM from forgetting old tasks?', { k: 3 });
    expect(hits.map((h) => h.paper.title)).toContain('Unlocking Continual Learning Abilities in Language Models');
    expect(hits.map((h) => h.paper.title)).toContain('Understanding Catastrophic Forgetting in Language Models via Implicit Inference');
  });

  it('puts the paper that names a method first when the question uses the name', async () => {
    const question = 'What does MIGU do to reduce catastrophic forgetting?';
    expect(nameTokens(question)).toEqual(['MIGU']);
    const { hits } = await retriever.search(question, { k: 3 });
    expect(hits[0].paper.title).toBe('Unlocking Continual Learning Abilities in Language Models');
    // The only paper holding the name gets all of its share; the others none.
    expect(hits[0].nameBonus).toBe(1);
    expect(hits[0].features?.nameShare).toBe(1);
    expect(hits.slice(1).every((h) => !h.nameBonus)).toBe(true);
    // Names many papers share ("LLMs") or none has give no bonus.
    expect(nameTokens('do LLMs in RL use GPT-2 or LoRA?')).toEqual(['LLMs', 'RL', 'GPT-2', 'LoRA']);
  });

  it('scores each candidate by the fitted ranker over its features, best first', async () => {
    const response = await retriever.search('catastrophic forgetting in language models', { k: 5 });
    for (const hit of response.hits) {
      expect(Object.keys(hit.features!).sort()).toEqual([...RANK_FEATURES].sort());
      expect(hit.score).toBeCloseTo(rankScore(RANKER, hit.features!), 9);
      expect(hit.features!.termShare).toBeGreaterThanOrEqual(0);
      expect(hit.features!.termShare).toBeLessThanOrEqual(1);
    }
    // Another model gives another order: the ranker, not a fixed formula, decides.
    const denseOnly = { ...RANKER, weights: RANKER.features.map((f) => (f === 'denseChunk' ? 1 : 0)), mean: RANKER.features.map(() => 0), std: RANKER.features.map(() => 1) };
    const byDense = await retriever.search('catastrophic forgetting in language models', { k: 5, ranker: denseOnly });
    const dense = byDense.hits.map((h) => h.dense!);
    expect(dense).toEqual([...dense].sort((a, b) => b - a));
  });

  it('corrects typos against the collection before searching and says which words it read differently', async () => {
    // Against these twenty-one papers' words: "against" is not among them, so "agianst" stays.
    const response = await retriever.search('wat dos lora droput do agianst overfiting?', { k: 3 });
    expect(response.query).toBe('wat dos lora dropout do agianst overfitting?');
    expect(response.typedQuery).toBe('wat dos lora droput do agianst overfiting?');
    expect(response.corrections).toEqual([
      { from: 'droput', to: 'dropout' },
      { from: 'overfiting', to: 'overfitting' },
    ]);
    expect(response.hits[0].paper.title).toBe(loraDropout.title);
    const asTyped = await retriever.search('lora droput', { k: 3, correct: false });
    expect(asTyped.query).toBe('lora droput');
    expect(asTyped.corrections).toBeUndefined();
  });

  it('ranks an exact technical term first through BM25', async () => {
    const { hits } = await retriever.search('LoRA dropout against overfitting', { k: 5 });
    expect(hits[0].paper.title).toBe(loraDropout.title);
    expect(hits[0].bm25Rank).toBe(1);
  });

  it('returns one result per paper with scores, ranks from both sides and evidence from that paper', async () => {
    const response = await retriever.search('protein docking of multimeric complexes', { k: 10 });
    const ids = response.hits.map((h) => h.paperId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(response.hits[0].paper.title).toMatch(/^SyNDock/);
    expect(response.hits[0].dense).toBeGreaterThan(0.3);
    expect(response.hits[0].denseRank).toBe(1);
    for (let i = 1; i < response.hits.length; i++) expect(response.hits[i - 1].score).toBeGreaterThanOrEqual(response.hits[i].score);
    for (const hit of response.hits) {
      expect(hit.passages.length).toBeGreaterThan(0);
      for (const passage of hit.passages) expect(hit.paper.abstract).toContain(passage.text.slice(0, 60));
    }
    expect(response.queryCoverage).toBe(1);
  });

  it('fuses: the dense-only and BM25-only lists differ, and hybrid keeps the best of each', async () => {
    const q = 'text-to-SQL hallucination';
    const dense = (await retriever.search(q, { k: 5, mode: 'dense' })).hits;
    const bm25 = (await retriever.search(q, { k: 5, mode: 'bm25' })).hits;
    const hybrid = (await retriever.search(q, { k: 5 })).hits;
    expect(dense.every((h) => h.bm25 === undefined)).toBe(true);
    expect(bm25.every((h) => h.dense === undefined)).toBe(true);
    expect(hybrid[0].paper.title).toMatch(/^Before Generation, Align it!/);
    expect(hybrid.map((h) => h.paperId)).toContain(dense[0].paperId);
    expect(hybrid.map((h) => h.paperId)).toContain(bm25[0].paperId);
  });

  it('filters by date range', async () => {
    const { hits } = await retriever.search('language models', { k: 20, from: '2023-01-01', to: '2023-12-31' });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(h.paper.isoDate!.startsWith('2023')).toBe(true);
  });
});

describe('retrieval arguments', () => {
  let retriever: Retriever;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-retrieval-args-'));
    const embedder = new HashingEmbedder();
    await buildIndex({ corpusDir: 'seeds', indexDir: join(root, 'index'), cacheDir: join(root, 'cache'), embedder });
    retriever = new Retriever(await loadIndex(join(root, 'index'), embedder), embedder);
  });

  it('filters by source file', async () => {
    const { hits } = await retriever.search('language models', { k: 20, sourceFile: '003_' });
    expect(hits.length).toBe(7);
    for (const h of hits) expect(h.paper.sources[0].file).toContain('003_');
  });

  it('rejects an empty query, k out of range and a malformed date with clear messages', async () => {
    await expect(retriever.search('   ')).rejects.toThrow(UserError);
    await expect(retriever.search('x', { k: 0 })).rejects.toThrow(/k must be a whole number from 1 to 50/);
    await expect(retriever.search('x', { k: 51 })).rejects.toThrow(UserError);
    await expect(retriever.search('x', { from: 'May 2024' })).rejects.toThrow(/--from must be a date like 2024-05-01/);
  });

  it('reports how much of the query the corpus vocabulary knows', async () => {
    expect((await retriever.search('sourdough bread baking')).queryCoverage).toBe(0);
    expect((await retriever.search('catastrophic forgetting sourdough')).queryCoverage).toBeCloseTo(2 / 3);
  });
});

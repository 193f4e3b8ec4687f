import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { Bm25Store, chunkDocs, paperDocs } from '../src/indexing/bm25-store.js';
import { chunkPapers } from '../src/indexing/chunker.js';
import { bm25Score, lexicalStats } from '../src/indexing/stores/lexical-stats.js';

const papers = loadCorpus('seeds').papers;
const QUERIES = [
  'how do language models forget earlier tasks during continual fine-tuning?',
  'LoRA dropout overfitting',
  'unlearning unlearning hazardous knowledge',
  'text-to-SQL',
  'the of and',
  'reward model preference RLHF PPO',
];

describe('exact lexical scores from per-document statistics', () => {
  for (const [name, docs] of [
    ['papers', paperDocs(papers)],
    ['chunks', chunkDocs(chunkPapers(papers, { maxTokens: 128, overlapSentences: 1, countTokens: (t) => t.split(/\s+/).length }), (id) => papers.find((p) => p.id === id)!.title)],
  ] as const) {
    it(`gives the embedded BM25 index's scores and order over the seed ${name}`, () => {
      const store = Bm25Store.build([...docs]);
      const { docs: stats, collection, df } = lexicalStats([...docs]);
      for (const q of QUERIES) {
        const expected = store.search(q, 1000);
        const terms = Bm25Store.terms(q);
        const mine = docs
          .map((d, i) => ({ id: d.id, i, score: bm25Score(terms, stats[i], collection, (t) => df.get(t)) }))
          .filter((r) => r.score > 0)
          .sort((a, b) => b.score - a.score || a.i - b.i);
        expect(mine.length, q).toBe(expected.length);
        mine.forEach((r, i) => {
          expect(r.score, q).toBeCloseTo(expected[i].score, 9);
        });
        expect(
          mine.slice(0, 20).map((r) => r.id),
          q,
        ).toEqual(expected.slice(0, 20).map((r) => r.id));
      }
    });
  }
});

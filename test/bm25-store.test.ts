import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { BM25, Bm25Store, chunkDocs, paperDocs, processTerm, type Bm25Doc } from '../src/indexing/bm25-store.js';
import { chunkPapers } from '../src/indexing/chunker.js';
import { seedPapers } from './helpers/lexical-retrieve.js';

/** MiniSearch configured as Litbot ran it before the binary store: the reference for every score. */
function miniSearch(docs: Bm25Doc[]) {
  const ms = new MiniSearch<Bm25Doc>({ fields: ['title', 'text'], storeFields: [], processTerm, tokenize: (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean) });
  ms.addAll(docs);
  return (query: string, limit: number) =>
    ms
      .search(query, { boost: { title: 1.5 }, combineWith: 'OR', bm25: BM25 })
      .slice(0, limit)
      .map((r) => ({ id: String(r.id), score: r.score }));
}

const questions = (JSON.parse(readFileSync('test/fixtures/questions.json', 'utf8')) as { question: string }[]).map((q) => q.question);
const extra = ['model merging', 'LoRA LoRA dropout', 'forgetting forgetting forgetting', 'the of and', '', 'SE(3) GPT-2 7B', 'zzzz unknownword'];

describe('the binary BM25 store', () => {
  const papers = seedPapers();
  const chunks = chunkPapers(papers, { maxTokens: 128, overlapSentences: 1, countTokens: (t) => t.split(/\s+/).length * 1.3 });
  const titles = new Map(papers.map((p) => [p.id, p.title]));

  it.each([
    ['papers', paperDocs(papers), 40],
    ['chunks', chunkDocs(chunks, (id) => titles.get(id)!), 320],
  ] as const)('ranks and scores %s exactly as MiniSearch does, ties included, after a round trip through its file', (_name, docs, limit) => {
    const reference = miniSearch([...docs]);
    const store = Bm25Store.fromBytes(Buffer.from(Bm25Store.build([...docs]).toBytes()));
    for (const query of [...questions, ...extra]) expect(store.search(query, limit), query).toEqual(reference(query, limit));
  });

  it('knows the processed terms of its documents and nothing else', () => {
    const store = Bm25Store.fromBytes(Buffer.from(Bm25Store.build(paperDocs(papers)).toBytes()));
    expect(store.vocabulary.has(processTerm('forgetting')!)).toBe(true);
    expect(store.vocabulary.has('forgetting')).toBe(false);
    expect(store.vocabulary.has(processTerm('alphafold')!)).toBe(false);
    expect(store.size).toBe(papers.length);
  });

  it('refuses a file that is not a BM25 index or is cut short', () => {
    const bytes = Buffer.from(Bm25Store.build(paperDocs(papers)).toBytes());
    expect(() => Bm25Store.fromBytes(Buffer.from('{"documentCount": 3}'))).toThrow(/not a BM25 index/);
    expect(() => Bm25Store.fromBytes(bytes.subarray(0, bytes.length / 2))).toThrow(/shorter than its header/);
  });

  it('finds a word typed without its accents', () => {
    const store = Bm25Store.build([{ id: 't', title: 'TÜLU 3', text: 'A naïve recipe for open post-training.' }]);
    expect(store.search('tulu naive', 5).map((h) => h.id)).toEqual(['t']);
    expect(processTerm('TÜLU')).toBe(processTerm('tulu'));
  });

  it('returns nothing for an empty store or a query of stop words', () => {
    const empty = Bm25Store.fromBytes(Buffer.from(Bm25Store.build([]).toBytes()));
    expect(empty.search('forgetting', 10)).toEqual([]);
    expect(Bm25Store.build(paperDocs(papers)).search('the of and', 10)).toEqual([]);
  });
});

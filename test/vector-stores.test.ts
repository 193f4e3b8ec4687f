import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import type { Paper } from '../src/corpus/paper.js';
import { chunkPapers } from '../src/indexing/chunker.js';
import { EmbedderEmbeddings } from '../src/indexing/embeddings/langchain-embeddings.js';
import { chunkDocument, type ChunkDocument, type StoreFilter } from '../src/indexing/stores/chunk-documents.js';
import { HnswVectorStore } from '../src/indexing/stores/hnsw-vector-store.js';
import { PgvectorStore, connectDatabase } from '../src/indexing/stores/pgvector-store.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { usePgliteServer } from './helpers/pglite.js';

/** What the contract needs of a store, beyond LangChain's `VectorStore`. */
interface ContractStore {
  addDocuments(docs: ChunkDocument[]): Promise<string[] | void>;
  similaritySearchWithScore(query: string, k?: number, filter?: StoreFilter): Promise<[{ metadata: Record<string, unknown>; pageContent: string }, number][]>;
  similaritySearch(query: string, k?: number, filter?: StoreFilter): Promise<{ metadata: Record<string, unknown> }[]>;
  deletePaper(paperId: string): Promise<number>;
}

interface StoreKind {
  name: string;
  /** An empty store. */
  create(): Promise<ContractStore>;
  /** The same store as a fresh process would open it. */
  reload(store: ContractStore): Promise<ContractStore>;
}

const embedder = new HashingEmbedder(64);
const embeddings = new EmbedderEmbeddings(embedder);
// A few seed papers from two files, some dated: enough for every filter, few enough for PGlite's slow inserts.
const seeds = loadCorpus('seeds').papers;
const papers: Paper[] = [
  ...seeds.filter((p) => p.isoDate && p.sources.some((s) => s.file.includes('002_'))).slice(0, 6),
  ...seeds.filter((p) => !p.isoDate && p.sources.some((s) => s.file.includes('001_'))).slice(0, 6),
];
const byId = new Map(papers.map((p) => [p.id, p]));
const chunks = chunkPapers(papers, { maxTokens: 60, overlapSentences: 1, countTokens: (t) => embedder.countTokens(t) });
const documents = chunks.map((c) => chunkDocument(c, byId.get(c.paperId)!));

const pglite = usePgliteServer();
let pool: pg.Pool | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'litbot-stores-'));
afterAll(async () => {
  await pool?.end();
  rmSync(tmp, { recursive: true, force: true });
});

const kinds: StoreKind[] = [
  {
    name: 'hnswlib (embedded)',
    create: () => HnswVectorStore.empty(embeddings, embedder.dimensions),
    reload: async (store) => {
      const dir = join(tmp, `hnsw-${Date.now()}`);
      (store as HnswVectorStore).save(dir);
      return HnswVectorStore.load(dir, embeddings);
    },
  },
  {
    name: 'pgvector (Postgres)',
    create: async () => {
      pool ??= await connectDatabase(pglite.server.url);
      const store = await PgvectorStore.create(embeddings, pool, { embeddingsId: embedder.id, dimensions: embedder.dimensions });
      await store.addPapers(papers, new Map());
      return store;
    },
    reload: async (store) => {
      await (store as PgvectorStore).commit({});
      return PgvectorStore.openCurrent(embeddings, pool!, { embeddingsId: embedder.id, dimensions: embedder.dimensions });
    },
  },
];

describe.each(kinds)('the $name vector store', (kind) => {
  let store: ContractStore;
  beforeAll(async () => {
    store = await kind.create();
    await store.addDocuments(documents);
  });

  it('finds the chunk whose own text is the query first, scored by cosine similarity', async () => {
    const target = documents[7];
    const [[doc, score], ...rest] = await store.similaritySearchWithScore(target.pageContent, 5);
    expect(doc.metadata.chunkId).toBe(target.metadata.chunkId);
    expect(doc.pageContent).toBe(target.pageContent);
    // The hashing embedder's vectors are unit length, and a text's own vector gives cosine 1 (halfvec rounds to about 1e-3).
    expect(score).toBeCloseTo(1, 2);
    expect(rest.every(([, s]) => s <= score + 1e-6)).toBe(true);
    expect(doc.metadata).toMatchObject({ paperId: target.metadata.paperId, title: target.metadata.title, url: target.metadata.url });
  });

  it('keeps only papers dated inside a date range', async () => {
    const dates = papers
      .map((p) => p.isoDate)
      .filter((d): d is string => !!d)
      .sort();
    const from = dates[1];
    const to = dates[dates.length - 2];
    const expected = new Set(papers.filter((p) => p.isoDate && p.isoDate >= from && p.isoDate <= to).map((p) => p.id));
    const hits = await store.similaritySearch('language models learning', 50, { from, to });
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map((h) => h.metadata.paperId as string))).toEqual(expected);
  });

  it('keeps only papers from a matching source file', async () => {
    const hits = await store.similaritySearch('language models learning', 50, { source: '001_' });
    const expected = new Set(papers.filter((p) => p.sources.some((s) => s.file.includes('001_'))).map((p) => p.id));
    expect(new Set(hits.map((h) => h.metadata.paperId as string))).toEqual(expected);
    expect(await store.similaritySearch('language models learning', 5, { source: 'no-such-file' })).toEqual([]);
  });

  it('forgets a deleted paper, and still has it no more after a reload', async () => {
    const victim = documents[3].metadata.paperId;
    const own = documents.filter((d) => d.metadata.paperId === victim);
    expect((await store.similaritySearch(own[0].pageContent, 1))[0].metadata.paperId).toBe(victim);
    expect(await store.deletePaper(victim)).toBe(own.length);
    const after = await store.similaritySearch(own[0].pageContent, 50);
    expect(after.some((h) => h.metadata.paperId === victim)).toBe(false);
    expect(after.length).toBe(Math.min(50, documents.length - own.length));

    const reloaded = await kind.reload(store);
    const again = await reloaded.similaritySearchWithScore(own[0].pageContent, 50);
    expect(again.some(([h]) => h.metadata.paperId === victim)).toBe(false);
    const other = documents.find((d) => d.metadata.paperId !== victim)!;
    expect(again.length).toBe(Math.min(50, documents.length - own.length));
    expect((await reloaded.similaritySearch(other.pageContent, 1))[0].metadata.chunkId).toBe(other.metadata.chunkId);
  });
});

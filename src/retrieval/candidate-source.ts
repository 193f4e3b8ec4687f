/**
 * Where the retriever's candidates and their raw scores come from: the embedded index in this
 * process (HNSW graph, BM25 files, vectors in memory), or Postgres (pgvector's HNSW, the database's
 * lexical index, cosines computed there) when `VECTOR_STORE=pgvector`. The retriever's ranking is
 * the same code for both.
 */
import { Bm25Store } from '../indexing/bm25-store.js';
import type { Embedder } from '../indexing/embeddings/embedder.js';
import { EmbedderEmbeddings } from '../indexing/embeddings/langchain-embeddings.js';
import { chunkDocument } from '../indexing/stores/chunk-documents.js';
import { HnswVectorStore } from '../indexing/stores/hnsw-vector-store.js';
import type { LitIndex } from '../indexing/load-index.js';
import type { PgvectorStore } from '../indexing/stores/pgvector-store.js';

/** Which lexical index a query runs against. */
export type LexicalTarget = 'papers' | 'chunks';

/** The date and source filters, and the papers they allow (worked out by the retriever from the papers in memory). */
export interface CandidateFilter {
  allowed: Set<string>;
  from?: string;
  to?: string;
  source?: string;
}

export interface CandidateSource {
  /** Paper ids of the chunks nearest to the vector, nearest first (a paper once per chunk). */
  denseChunks(vector: Float32Array, k: number, filter?: CandidateFilter): Promise<string[]>;
  /** Document ids (paper or chunk) with lexical scores, best first. */
  lexical(text: string, limit: number, target: LexicalTarget): Promise<{ id: string; score: number }[]>;
  /** Cosines of the vector to every chunk (by position in `index.chunks`) and to the paper vector of these papers. */
  cosines(vector: Float32Array, paperIds: string[]): Promise<{ chunk(position: number): number; paper(paperId: string): number }>;
  /** Whether the lexical index knows a processed term. */
  hasTerm(term: string): boolean;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The embedded index: everything in this process; nearest chunks through its LangChain `VectorStore` (`HnswVectorStore`). */
export function indexSource(index: LitIndex, embedder: Embedder): CandidateSource {
  let store: HnswVectorStore | undefined;
  // Over the loaded graph, with each chunk's Document made when a search reaches it.
  const vectors = () =>
    (store ??= HnswVectorStore.over(
      new EmbedderEmbeddings(embedder),
      index.hnsw,
      {
        count: index.chunks.length,
        documentAt: (label) => {
          const chunk = index.chunks[label];
          return chunkDocument(chunk, index.paperById.get(chunk.paperId)!);
        },
        labelOf: (id) => index.chunkById.get(id),
        paperIdAt: (label) => index.chunks[label].paperId,
      },
      index.manifest.hnsw,
    ));
  return {
    async denseChunks(vector, k, filter) {
      const hits = await vectors().similaritySearchVectorWithScore(vector, k, filter && { from: filter.from, to: filter.to, source: filter.source });
      return hits.map(([doc]) => doc.metadata.paperId);
    },
    async lexical(text, limit, target) {
      return (target === 'chunks' ? index.bm25Chunks : index.bm25Papers).search(text, limit);
    },
    async cosines(vector) {
      return {
        chunk: (position) => dot(vector, index.chunkVectors[position]),
        paper: (paperId) => dot(vector, index.paperVectors.get(paperId)!),
      };
    },
    hasTerm: (term) => index.bm25Papers.vocabulary.has(term),
  };
}

/** Postgres: searches and cosines run in the database; the index in memory holds texts and metadata only. */
export function pgvectorSource(store: PgvectorStore, index: LitIndex): CandidateSource {
  let vocabulary: Set<string> | undefined;
  return {
    async denseChunks(vector, k, filter) {
      const storeFilter = filter ? { from: filter.from, to: filter.to, source: filter.source } : undefined;
      const hits = await store.similaritySearchVectorWithScore(vector, k, storeFilter);
      return hits.map(([doc]) => doc.metadata.paperId).filter((id) => !filter || filter.allowed.has(id));
    },
    async lexical(text, limit, target) {
      return store.lexicalSearch(text, limit, target);
    },
    async cosines(vector, paperIds) {
      const { chunks, papers } = await store.candidateCosines(vector, paperIds);
      return {
        chunk: (position) => chunks.get(index.chunks[position].id) ?? 0,
        paper: (paperId) => papers.get(paperId) ?? 0,
      };
    },
    hasTerm(term) {
      // Built once from the papers in memory: the same terms the database's lexical index holds.
      if (!vocabulary) {
        vocabulary = new Set();
        for (const p of index.papers) for (const t of Bm25Store.terms(`${p.title} ${p.abstract}`)) vocabulary.add(t);
      }
      return vocabulary.has(term);
    },
  };
}

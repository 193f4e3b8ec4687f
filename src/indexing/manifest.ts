/** What an index was built from and with; loading compares it with the configuration. */
import type { CorpusFingerprint } from './corpus-fingerprint.js';
import type { FileRecord } from './index-files.js';

/** 3: binary chunks and BM25, papers as JSON Lines, derived data kept, every file checksummed; 4: terms without accents. */
export const INDEX_FORMAT_VERSION = 4;

export interface ChunkingParams {
  maxTokens: number;
  overlapSentences: number;
}

export interface Manifest {
  formatVersion: number;
  embeddings: { id: string; dimensions: number };
  chunking: ChunkingParams;
  hnsw: { m: number; efSearch: number; efConstruction: number };
  /** SHA-256 of the ingested papers (content and metadata): what `npm run index` compares. */
  corpusHash: string;
  corpusDir: string;
  /** Sizes, mtimes and hashes of the corpus files: what a start compares, cheaply. */
  corpusFingerprint?: CorpusFingerprint;
  counts: { files: number; entries: number; papers: number; duplicatesMerged: number; invalidSkipped: number; chunks: number; topics: number };
  embedded: { computed: number; reused: number };
  builtAt: string;
  buildSeconds: number;
  /** Every other file of the generation, with its size and CRC-32, verified as it is read. */
  files: Record<string, FileRecord>;
}

/** Chunking for an embedder: the whole input window, one sentence of overlap. */
export function chunkingFor(maxTokens: number): ChunkingParams {
  return { maxTokens: Math.min(maxTokens, 256), overlapSentences: 1 };
}

/** Human-readable differences between an index's manifest and what the configuration expects; `dimensions` and `chunking` only when known (after the embedder's `init()`). */
export function manifestDifferences(manifest: Manifest, expected: { embeddingsId: string; dimensions?: number; chunking?: ChunkingParams }): string[] {
  const out: string[] = [];
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) out.push(`index format ${manifest.formatVersion}, this version reads ${INDEX_FORMAT_VERSION}`);
  if (manifest.embeddings?.id !== expected.embeddingsId) out.push(`built with EMBEDDINGS=${manifest.embeddings?.id}, configured ${expected.embeddingsId}`);
  else if (expected.dimensions && manifest.embeddings.dimensions !== expected.dimensions)
    out.push(`built with ${manifest.embeddings.dimensions}-dimensional vectors, the model gives ${expected.dimensions}`);
  const chunking = expected.chunking;
  if (chunking && (manifest.chunking?.maxTokens !== chunking.maxTokens || manifest.chunking?.overlapSentences !== chunking.overlapSentences))
    out.push(`chunking ${JSON.stringify(manifest.chunking)}, expected ${JSON.stringify(chunking)}`);
  return out;
}

/** What an index was built from and with; loading compares it with the configuration. */
export const INDEX_FORMAT_VERSION = 2;

export interface ChunkingParams {
  maxTokens: number;
  overlapSentences: number;
}

export interface Manifest {
  formatVersion: number;
  embeddings: { id: string; dimensions: number };
  chunking: ChunkingParams;
  hnsw: { m: number; efConstruction: number; efSearch: number };
  /** SHA-256 of the ingested papers (content and metadata). */
  corpusHash: string;
  corpusDir: string;
  counts: { files: number; entries: number; papers: number; duplicatesMerged: number; invalidSkipped: number; chunks: number; topics: number };
  embedded: { computed: number; reused: number };
  builtAt: string;
  buildSeconds: number;
}

/** Chunking for an embedder: the whole input window, one sentence of overlap. */
export function chunkingFor(maxTokens: number): ChunkingParams {
  return { maxTokens: Math.min(maxTokens, 256), overlapSentences: 1 };
}

/** Human-readable differences between an index's manifest and what the configuration expects. */
export function manifestDifferences(manifest: Manifest, expected: { embeddingsId: string; dimensions?: number; chunking: ChunkingParams }): string[] {
  const out: string[] = [];
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) out.push(`index format ${manifest.formatVersion}, this version reads ${INDEX_FORMAT_VERSION}`);
  if (manifest.embeddings.id !== expected.embeddingsId) out.push(`built with EMBEDDINGS=${manifest.embeddings.id}, configured ${expected.embeddingsId}`);
  else if (expected.dimensions && manifest.embeddings.dimensions !== expected.dimensions)
    out.push(`built with ${manifest.embeddings.dimensions}-dimensional vectors, the model gives ${expected.dimensions}`);
  if (manifest.chunking.maxTokens !== expected.chunking.maxTokens || manifest.chunking.overlapSentences !== expected.chunking.overlapSentences)
    out.push(`chunking ${JSON.stringify(manifest.chunking)}, expected ${JSON.stringify(expected.chunking)}`);
  return out;
}

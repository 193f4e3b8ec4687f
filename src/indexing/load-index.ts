/** Loads the current index generation and checks it against the configured embedder. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topic } from '../browse/types.js';
import type { Paper } from '../corpus/paper.js';
import { IndexMismatchError, IndexNotBuiltError } from '../errors.js';
import type { Chunk } from '../retrieval/types.js';
import { Bm25Store, chunkDocs, paperDocs } from './bm25-store.js';
import type { Embedder } from './embeddings/embedder.js';
import { HnswStore } from './hnsw-store.js';
import { currentGeneration, FILES, readVectors } from './index-files.js';
import { chunkingFor, manifestDifferences, type Manifest } from './manifest.js';

export interface LitIndex {
  dir: string;
  manifest: Manifest;
  papers: Paper[];
  paperById: Map<string, Paper>;
  chunks: Chunk[];
  chunkById: Map<string, number>;
  chunkVectors: Float32Array[];
  /** Unit-length paper-level vector per paper id (normalised mean of its chunks' vectors). */
  paperVectors: Map<string, Float32Array>;
  topics: Topic[];
  hnsw: HnswStore;
  /** BM25 over chunks: which passages match. */
  bm25Chunks: Bm25Store;
  /** BM25 over whole papers: which papers match. */
  bm25Papers: Bm25Store;
  /** Chunk positions of each paper. */
  chunksOfPaper: Map<string, number[]>;
}

/** Reads the manifest of the current index, or undefined when there is none. */
export function readManifest(indexDir: string): Manifest | undefined {
  const dir = currentGeneration(indexDir);
  return dir ? (JSON.parse(readFileSync(join(dir, FILES.manifest), 'utf8')) as Manifest) : undefined;
}

/** Throws `IndexNotBuiltError` / `IndexMismatchError` naming the fix. */
export function checkIndex(indexDir: string, embedder: Pick<Embedder, 'id' | 'maxTokens' | 'dimensions'>): Manifest {
  const manifest = readManifest(indexDir);
  if (!manifest) throw new IndexNotBuiltError(indexDir);
  const differences = manifestDifferences(manifest, {
    embeddingsId: embedder.id,
    dimensions: embedder.dimensions || undefined,
    chunking: chunkingFor(embedder.maxTokens),
  });
  if (differences.length) throw new IndexMismatchError(indexDir, differences);
  return manifest;
}

export async function loadIndex(indexDir: string, embedder: Pick<Embedder, 'id' | 'maxTokens' | 'dimensions'>): Promise<LitIndex> {
  const manifest = checkIndex(indexDir, embedder);
  const dir = currentGeneration(indexDir)!;
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const papers = JSON.parse(read(FILES.papers)) as Paper[];
  const chunks = JSON.parse(read(FILES.chunks)) as Chunk[];
  const dimensions = manifest.embeddings.dimensions;
  const paperById = new Map(papers.map((p) => [p.id, p]));
  const paperVectorList = readVectors(join(dir, FILES.paperVectors), dimensions);
  const chunksOfPaper = new Map<string, number[]>();
  chunks.forEach((c, i) => chunksOfPaper.set(c.paperId, [...(chunksOfPaper.get(c.paperId) ?? []), i]));
  return {
    dir,
    manifest,
    papers,
    paperById,
    chunks,
    chunkById: new Map(chunks.map((c, i) => [c.id, i])),
    chunkVectors: readVectors(join(dir, FILES.chunkVectors), dimensions),
    paperVectors: new Map(papers.map((p, i) => [p.id, paperVectorList[i]])),
    topics: existsSync(join(dir, FILES.topics)) ? (JSON.parse(read(FILES.topics)) as Topic[]) : [],
    hnsw: await HnswStore.load(join(dir, FILES.hnsw), dimensions, manifest.hnsw.efSearch),
    bm25Chunks: Bm25Store.fromJSON(read(FILES.bm25Chunks), chunkDocs(chunks, (id) => paperById.get(id)?.title ?? '')),
    bm25Papers: Bm25Store.fromJSON(read(FILES.bm25Papers), paperDocs(papers)),
    chunksOfPaper,
  };
}

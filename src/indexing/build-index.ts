/**
 * Builds the index: corpus in, chunks, embeddings (reusing cached ones), the HNSW and BM25 stores,
 * paper vectors and topics, written as a new generation and swapped in at the end.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topic } from '../browse/types.js';
import { loadCorpus, type Corpus } from '../corpus/load-corpus.js';
import type { Paper } from '../corpus/paper.js';
import type { Chunk } from '../retrieval/types.js';
import { Bm25Store, chunkDocs, paperDocs } from './bm25-store.js';
import { chunkPapers } from './chunker.js';
import { EmbeddingCache } from './embedding-cache.js';
import type { Embedder } from './embeddings/embedder.js';
import { normalize } from './embeddings/embedder.js';
import { DEFAULT_HNSW, HnswStore } from './hnsw-store.js';
import { commitGeneration, FILES, startGeneration, writeVectors } from './index-files.js';
import { chunkingFor, INDEX_FORMAT_VERSION, type Manifest } from './manifest.js';

export interface BuildOptions {
  corpusDir: string;
  indexDir: string;
  cacheDir: string;
  embedder: Embedder;
  skipInvalid?: boolean;
  /** The corpus, when the caller has read it already (with its links resolved); else it is read from `corpusDir`. */
  corpus?: Corpus;
  /** Called after the corpus is read, before chunking: may change papers' links. */
  resolveLinks?: (papers: Paper[]) => Promise<void>;
  /** Topic discovery; omitted, the index has no topics. */
  buildTopics?: (input: { papers: Paper[]; vectors: Map<string, Float32Array>; previous?: Topic[] }) => Topic[] | Promise<Topic[]>;
  /** Topics of the index being replaced, so stable clusters keep their names. */
  previousTopics?: Topic[];
  /** Stage messages for the user (stderr in the CLI). */
  log?: (line: string) => void;
  /** Embedding progress: chunks done of total still to embed. */
  onEmbedProgress?: (done: number, total: number) => void;
}

export interface BuildResult {
  dir: string;
  manifest: Manifest;
  corpus: Corpus;
}

/** A hash of what the index is built from: the papers as ingested, with their metadata. */
export function corpusHash(papers: Paper[]): string {
  return createHash('sha256').update(JSON.stringify(papers)).digest('hex');
}

/** Texts per embedding call: small enough for steady progress output. */
const EMBED_BATCH = 32;

export async function embedChunks(
  chunks: Chunk[],
  embedder: Embedder,
  cache: EmbeddingCache,
  onProgress?: (done: number, total: number) => void,
): Promise<{ vectors: Float32Array[]; computed: number; reused: number }> {
  const vectors: (Float32Array | undefined)[] = chunks.map((c) => cache.get(c.embedText));
  const missing = chunks.map((c, i) => ({ c, i })).filter(({ i }) => !vectors[i]);
  // The same passage can occur twice (a paper listed in two files before merging); embed it once.
  const uniqueTexts = [...new Set(missing.map(({ c }) => c.embedText))];
  onProgress?.(0, uniqueTexts.length);
  for (let start = 0; start < uniqueTexts.length; start += EMBED_BATCH) {
    const batch = uniqueTexts.slice(start, start + EMBED_BATCH);
    const embedded = await embedder.embedDocuments(batch);
    cache.putAll(batch.map((text, j) => ({ text, vector: embedded[j] })));
    onProgress?.(Math.min(start + batch.length, uniqueTexts.length), uniqueTexts.length);
  }
  for (const { c, i } of missing) vectors[i] = cache.get(c.embedText);
  return { vectors: vectors as Float32Array[], computed: uniqueTexts.length, reused: chunks.length - missing.length };
}

/** The paper-level vector: the normalised mean of its chunks' vectors. */
export function paperVectorsOf(papers: Paper[], chunks: Chunk[], vectors: Float32Array[], dimensions: number): Map<string, Float32Array> {
  const sums = new Map<string, Float32Array>();
  chunks.forEach((c, i) => {
    let sum = sums.get(c.paperId);
    if (!sum) sums.set(c.paperId, (sum = new Float32Array(dimensions)));
    const v = vectors[i];
    for (let d = 0; d < dimensions; d++) sum[d] += v[d];
  });
  return new Map(papers.map((p) => [p.id, normalize(sums.get(p.id) ?? new Float32Array(dimensions))]));
}

export async function buildIndex(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const corpus = options.corpus ?? loadCorpus(options.corpusDir, { skipInvalid: options.skipInvalid });
  log(`Read ${corpus.entries} entries from ${corpus.files.length} files: ${corpus.papers.length} papers (${corpus.duplicatesMerged} duplicates merged, ${corpus.issues.length} invalid blocks skipped).`);
  if (options.resolveLinks && !options.corpus) await options.resolveLinks(corpus.papers);

  const { embedder } = options;
  await embedder.init();
  const chunking = chunkingFor(embedder.maxTokens);
  const chunks = chunkPapers(corpus.papers, { ...chunking, countTokens: (t) => embedder.countTokens(t) });
  log(`Split into ${chunks.length} chunks of at most ${chunking.maxTokens} tokens.`);

  const cache = new EmbeddingCache(options.cacheDir, embedder.id, embedder.dimensions);
  const { vectors, computed, reused } = await embedChunks(chunks, embedder, cache, options.onEmbedProgress);
  const paperVectors = paperVectorsOf(corpus.papers, chunks, vectors, embedder.dimensions);

  const hnsw = await HnswStore.build(vectors, embedder.dimensions, DEFAULT_HNSW);
  const titles = new Map(corpus.papers.map((p) => [p.id, p.title]));
  const bm25Chunks = Bm25Store.build(chunkDocs(chunks, (id) => titles.get(id) ?? ''));
  const bm25Papers = Bm25Store.build(paperDocs(corpus.papers));
  const topics = options.buildTopics ? await options.buildTopics({ papers: corpus.papers, vectors: paperVectors, previous: options.previousTopics }) : [];
  if (options.buildTopics) log(`Found ${topics.length} topics.`);

  const building = startGeneration(options.indexDir);
  const file = (name: string) => join(building.dir, name);
  writeFileSync(file(FILES.papers), JSON.stringify(corpus.papers));
  writeFileSync(file(FILES.chunks), JSON.stringify(chunks));
  writeVectors(file(FILES.chunkVectors), vectors, embedder.dimensions);
  writeVectors(
    file(FILES.paperVectors),
    corpus.papers.map((p) => paperVectors.get(p.id)!),
    embedder.dimensions,
  );
  hnsw.save(file(FILES.hnsw));
  writeFileSync(file(FILES.bm25Chunks), bm25Chunks.toJSON());
  writeFileSync(file(FILES.bm25Papers), bm25Papers.toJSON());
  writeFileSync(file(FILES.topics), JSON.stringify(topics));
  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    embeddings: { id: embedder.id, dimensions: embedder.dimensions },
    chunking,
    hnsw: DEFAULT_HNSW,
    corpusHash: corpusHash(corpus.papers),
    corpusDir: options.corpusDir,
    counts: {
      files: corpus.files.length,
      entries: corpus.entries,
      papers: corpus.papers.length,
      duplicatesMerged: corpus.duplicatesMerged,
      invalidSkipped: corpus.issues.length,
      chunks: chunks.length,
      topics: topics.length,
    },
    embedded: { computed, reused },
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 10) / 100,
  };
  // The manifest goes last: a generation without one is never treated as an index.
  writeFileSync(file(FILES.manifest), JSON.stringify(manifest, null, 2));
  const dir = commitGeneration(options.indexDir, building);
  return { dir, manifest, corpus };
}

/**
 * Builds the index: corpus in, chunks, embeddings (reusing cached ones), the HNSW and BM25 stores,
 * paper vectors and topics, written as a new generation and swapped in at the end.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Topic } from '../browse/types.js';
import { loadCorpus, type Corpus } from '../corpus/load-corpus.js';
import type { Paper } from '../corpus/paper.js';
import type { Chunk } from '../retrieval/types.js';
import { Bm25Store, chunkDocs, paperDocs } from './bm25-store.js';
import { STALE_MS, withBuildLock } from './build-lock.js';
import { chunkFileBytes } from './chunk-file.js';
import { chunkPapers } from './chunker.js';
import { takeFingerprint, type CorpusFingerprint } from './corpus-fingerprint.js';
import { EmbeddingCache } from './embedding-cache.js';
import type { Embedder } from './embeddings/embedder.js';
import { normalize } from './embeddings/embedder.js';
import { DEFAULT_HNSW, HnswStore } from './hnsw-store.js';
import { commitGeneration, fileCrc32, FILES, startGeneration, vectorBytes, writeRecorded, type FileRecord } from './index-files.js';
import { chunkingFor, INDEX_FORMAT_VERSION, type Manifest } from './manifest.js';
import { toStorable } from './storable.js';

/** What other parts of Litbot compute from the whole collection at build time, so no start recomputes it. */
export interface DerivedData {
  /** Per paper (index order), the other names it goes by (title lookup). */
  titleAliases?: string[][];
  /** Per paper id, its vector for similar papers. */
  similarVectors?: Map<string, Float32Array>;
  /** The answerer's statistics of the collection (any JSON, Maps and Sets allowed; see `storable.ts`). */
  answerTerms?: unknown;
}

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
  /** Data derived from the papers and their vectors, kept in the index. */
  derive?: (input: { papers: Paper[]; paperVectors: Map<string, Float32Array> }) => DerivedData | Promise<DerivedData>;
  /** Files outside the corpus that the build reads too (the arXiv link cache): a change to them makes the index stale. */
  inputs?: string[];
  /** The corpus fingerprint, when the caller took it before reading `corpus`. */
  fingerprint?: CorpusFingerprint;
  /** Wait for another build of the same index (default) or fail at once. */
  wait?: boolean;
  /** The caller holds the build lock already. */
  lockHeld?: boolean;
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

/** Builds the index into a new generation, holding the build lock of `indexDir` (waiting for another build first, unless `wait` is false). */
export async function buildIndex(options: BuildOptions): Promise<BuildResult> {
  if (options.lockHeld) return build(options);
  return withBuildLock(options.indexDir, { wait: options.wait, log: options.log }, () => build(options));
}

async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  // Taken before the corpus is read: an edit made during the build shows as a change at the next start.
  const fingerprint = options.fingerprint ?? takeFingerprint(options.corpusDir, options.inputs);
  const corpus = options.corpus ?? loadCorpus(options.corpusDir, { skipInvalid: options.skipInvalid });
  log(
    `Read ${corpus.entries} entries from ${corpus.files.length} files: ${corpus.papers.length} papers (${corpus.duplicatesMerged} duplicates merged, ${corpus.issues.length} invalid blocks skipped).`,
  );
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
  const derivedStarted = performance.now();
  const derived = options.derive ? await options.derive({ papers: corpus.papers, paperVectors }) : {};
  if (options.derive)
    log(`Computed the data kept for later commands (similar-paper vectors, title aliases, answer vocabulary) in ${((performance.now() - derivedStarted) / 1000).toFixed(1)} s.`);

  const building = startGeneration(options.indexDir, { staleMs: STALE_MS });
  const files: Record<string, FileRecord> = {};
  const put = (name: string, data: string | Uint8Array) => (files[name] = writeRecorded(join(building.dir, name), data));
  const { papers } = corpus;
  const position = new Map(papers.map((p, i) => [p.id, i]));
  // JSON.stringify never writes a raw line break, so each paper is exactly one line.
  put(FILES.papers, papers.map((p) => `${JSON.stringify(p)}\n`).join(''));
  const aliases = derived.titleAliases ? Object.fromEntries(derived.titleAliases.flatMap((a, i) => (a?.length ? [[i, a]] : []))) : undefined;
  put(FILES.titles, JSON.stringify({ ids: papers.map((p) => p.id), titles: papers.map((p) => p.title), ...(aliases ? { aliases } : {}) }));
  put(
    FILES.chunks,
    chunkFileBytes(chunks, (paperId) => position.get(paperId) ?? -1),
  );
  put(FILES.chunkVectors, vectorBytes(vectors, embedder.dimensions));
  put(
    FILES.paperVectors,
    vectorBytes(
      papers.map((p) => paperVectors.get(p.id)!),
      embedder.dimensions,
    ),
  );
  if (derived.similarVectors) {
    const rows = papers.map((p) => derived.similarVectors!.get(p.id));
    const width = rows[0]?.length ?? 0;
    if (rows.every((r) => r && r.length === width)) put(FILES.similarVectors, vectorBytes(rows as Float32Array[], width));
  }
  const hnswFile = join(building.dir, FILES.hnsw);
  hnsw.save(hnswFile);
  files[FILES.hnsw] = { bytes: statSync(hnswFile).size, crc32: fileCrc32(hnswFile) };
  put(FILES.bm25Chunks, bm25Chunks.toBytes());
  put(FILES.bm25Papers, bm25Papers.toBytes());
  put(FILES.topics, JSON.stringify(topics));
  if (derived.answerTerms !== undefined) put(FILES.answerTerms, JSON.stringify(toStorable(derived.answerTerms)));
  const manifest: Manifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    embeddings: { id: embedder.id, dimensions: embedder.dimensions },
    chunking,
    hnsw: DEFAULT_HNSW,
    corpusHash: corpusHash(corpus.papers),
    corpusDir: options.corpusDir,
    corpusFingerprint: fingerprint,
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
    files,
  };
  // The manifest goes last: a generation without one is never treated as an index.
  writeRecorded(join(building.dir, FILES.manifest), JSON.stringify(manifest, null, 2));
  const dir = commitGeneration(options.indexDir, building);
  return { dir, manifest, corpus };
}

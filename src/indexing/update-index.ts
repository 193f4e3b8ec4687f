/**
 * The index command's logic, shared by `npm run index` and by the commands that build the index
 * first when it is missing: take the build lock (waiting for another build, or failing at once
 * with `wait: false`), skip when nothing changed and the index is whole, else build with progress.
 */
import type { Topic } from '../browse/types.js';
import type { Env } from '../config/env.js';
import { loadCorpus, type Corpus } from '../corpus/load-corpus.js';
import { buildIndex, corpusHash, type BuildOptions, type BuildResult } from './build-index.js';
import { withBuildLock } from './build-lock.js';
import { takeFingerprint } from './corpus-fingerprint.js';
import type { Embedder } from './embeddings/embedder.js';
import { FILES, parseJson, readChecked } from './index-files.js';
import { indexDifferences, inspectIndex } from './load-index.js';
import type { Manifest } from './manifest.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UpdateOptions {
  env: Pick<Env, 'CORPUS_DIR' | 'INDEX_DIR' | 'CACHE_DIR'>;
  embedder: Embedder;
  corpusDir?: string;
  indexDir?: string;
  skipInvalid?: boolean;
  force?: boolean;
  /** Wait for a build already running (default), or fail at once with `IndexBuildRunningError`. */
  wait?: boolean;
  resolveLinks?: BuildOptions['resolveLinks'];
  buildTopics?: BuildOptions['buildTopics'];
  derive?: BuildOptions['derive'];
  inputs?: BuildOptions['inputs'];
  log?: (line: string) => void;
  onEmbedProgress?: (done: number, total: number) => void;
}

export type UpdateResult = { upToDate: true; manifest: Manifest; corpus: Corpus } | ({ upToDate: false } & BuildResult);

export async function updateIndex(options: UpdateOptions): Promise<UpdateResult> {
  const indexDir = options.indexDir ?? options.env.INDEX_DIR;
  // The check and the build happen under one lock: a build that waited finds the index the other one made.
  return withBuildLock(indexDir, { wait: options.wait, log: options.log }, () => update(options, indexDir));
}

async function update(options: UpdateOptions, indexDir: string): Promise<UpdateResult> {
  const corpusDir = options.corpusDir ?? options.env.CORPUS_DIR;
  const log = options.log ?? (() => {});
  const { dir, manifest: previous, damage } = inspectIndex(indexDir);
  // A damaged index is stale whatever the corpus says.
  if (damage) log(`${damage} Rebuilding it.`);
  let corpus: Corpus | undefined;
  let fingerprint;
  if (previous && !damage && !options.force) {
    await options.embedder.init();
    fingerprint = takeFingerprint(corpusDir, options.inputs);
    corpus = loadCorpus(corpusDir, { skipInvalid: options.skipInvalid });
    await options.resolveLinks?.(corpus.papers);
    const unchanged =
      indexDifferences(previous, options.embedder).length === 0 &&
      previous.corpusDir === corpusDir &&
      corpusHash(corpus.papers) === previous.corpusHash &&
      (previous.counts.topics > 0 || !options.buildTopics);
    if (unchanged) return { upToDate: true, manifest: previous, corpus };
  }
  const result = await buildIndex({
    corpusDir,
    // Already read (links applied) for the up-to-date check: the build reuses it.
    corpus,
    fingerprint,
    indexDir,
    cacheDir: options.env.CACHE_DIR,
    embedder: options.embedder,
    skipInvalid: options.skipInvalid,
    resolveLinks: options.resolveLinks,
    buildTopics: options.buildTopics,
    derive: options.derive,
    inputs: options.inputs,
    previousTopics: dir && previous ? previousTopics(dir, previous) : undefined,
    log: options.log,
    onEmbedProgress: options.onEmbedProgress,
    lockHeld: true,
  });
  return { upToDate: false, ...result };
}

/** The topics of the index being replaced (so stable clusters keep their ids and names), when they can be read. */
function previousTopics(dir: string, manifest: Manifest): Topic[] | undefined {
  try {
    const file = join(dir, FILES.topics);
    // Indexes before format 3 listed no checksums; their topics are still worth keeping.
    const data = manifest.files ? readChecked(dir, FILES.topics, manifest.files[FILES.topics]) : readFileSync(file);
    const topics = parseJson<Topic[]>(file, data);
    return Array.isArray(topics) ? topics : undefined;
  } catch {
    return undefined;
  }
}

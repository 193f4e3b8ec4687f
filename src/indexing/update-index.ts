/**
 * The index command's logic, shared by `npm run index` and by the commands that build the index
 * first when it is missing: skip when nothing changed, else build with progress.
 */
import type { Env } from '../config/env.js';
import { loadCorpus, type Corpus } from '../corpus/load-corpus.js';
import { buildIndex, corpusHash, type BuildOptions, type BuildResult } from './build-index.js';
import type { Embedder } from './embeddings/embedder.js';
import { currentGeneration, FILES } from './index-files.js';
import { readManifest } from './load-index.js';
import { chunkingFor, manifestDifferences, type Manifest } from './manifest.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topic } from '../browse/types.js';

export interface UpdateOptions {
  env: Pick<Env, 'CORPUS_DIR' | 'INDEX_DIR' | 'CACHE_DIR'>;
  embedder: Embedder;
  corpusDir?: string;
  indexDir?: string;
  skipInvalid?: boolean;
  force?: boolean;
  resolveLinks?: BuildOptions['resolveLinks'];
  buildTopics?: BuildOptions['buildTopics'];
  log?: (line: string) => void;
  onEmbedProgress?: (done: number, total: number) => void;
}

export type UpdateResult = { upToDate: true; manifest: Manifest; corpus: Corpus } | ({ upToDate: false } & BuildResult);

export async function updateIndex(options: UpdateOptions): Promise<UpdateResult> {
  const corpusDir = options.corpusDir ?? options.env.CORPUS_DIR;
  const indexDir = options.indexDir ?? options.env.INDEX_DIR;
  const previous = readManifest(indexDir);
  let corpus: Corpus | undefined;
  if (previous && !options.force) {
    await options.embedder.init();
    corpus = loadCorpus(corpusDir, { skipInvalid: options.skipInvalid });
    const { papers } = corpus;
    await options.resolveLinks?.(papers);
    const unchanged =
      manifestDifferences(previous, { embeddingsId: options.embedder.id, dimensions: options.embedder.dimensions, chunking: chunkingFor(options.embedder.maxTokens) })
        .length === 0 &&
      previous.corpusDir === corpusDir &&
      corpusHash(papers) === previous.corpusHash &&
      (previous.counts.topics > 0 || !options.buildTopics);
    if (unchanged) return { upToDate: true, manifest: previous, corpus };
  }
  const result = await buildIndex({
    corpusDir,
    // Already read (links applied) for the up-to-date check: the build reuses it.
    corpus,
    indexDir,
    cacheDir: options.env.CACHE_DIR,
    embedder: options.embedder,
    skipInvalid: options.skipInvalid,
    resolveLinks: options.resolveLinks,
    buildTopics: options.buildTopics,
    previousTopics: previousTopics(indexDir),
    log: options.log,
    onEmbedProgress: options.onEmbedProgress,
  });
  return { upToDate: false, ...result };
}

function previousTopics(indexDir: string): Topic[] | undefined {
  const dir = currentGeneration(indexDir);
  if (!dir) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, FILES.topics), 'utf8')) as Topic[];
  } catch {
    return undefined;
  }
}

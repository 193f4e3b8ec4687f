/**
 * The facade both deliveries (the Discord bot and the terminal) use: one object per process that
 * holds the loaded index and answers every command through the same handlers.
 */
import type { AnswerOptions, AnswerResult } from './answer/types.js';
import type { LookupMatch, SimilarPaper, Topic } from './browse/types.js';
import type { Paper } from './corpus/paper.js';
import type { SearchOptions, SearchResponse } from './retrieval/types.js';

export interface About {
  version: string;
  papers: number;
  chunks: number;
  topics: number;
  builtAt: string;
  embeddings: string;
  dimensions: number;
  backend: string;
  model?: string;
}

export interface Litbot {
  about(): About;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  ask(question: string, options?: AnswerOptions): Promise<AnswerResult>;
  topics(): Topic[];
  /** A topic by id or by (part of) its label; throws `UserError` when none matches. */
  topic(query: string): Topic;
  /** The topic a paper belongs to. */
  topicOf(paperId: string): Topic | undefined;
  /** Fuzzy title matches, best first, for autocomplete. */
  lookup(query: string, limit?: number): LookupMatch[];
  /** The best title match; throws `UserError` naming the query when none is close. */
  paper(titleQuery: string): Paper;
  paperById(paperId: string): Paper | undefined;
  /** Nearest papers to the best title match, excluding the paper itself. */
  similar(titleQuery: string, k?: number): { paper: Paper; similar: (SimilarPaper & { paper: Paper })[] };
  close(): Promise<void>;
}

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig, type Env } from './config/env.js';
import { createLogger } from './config/logger.js';
import type { Embedder } from './indexing/embeddings/embedder.js';
import { createEmbedder } from './indexing/embeddings/create-embedder.js';
import type { BuildOptions } from './indexing/build-index.js';
import { loadIndex, readManifest, type LitIndex } from './indexing/load-index.js';
import { updateIndex } from './indexing/update-index.js';
import { corpusHash } from './indexing/build-index.js';
import { loadCorpus } from './corpus/load-corpus.js';
import { Retriever } from './retrieval/retriever.js';
import { PaperBrowser } from './browse/paper-browser.js';
import { buildTopics } from './browse/topics.js';
import { createAnswerer, type Answerer } from './answer/answerer.js';
import { resolveLinks } from './indexing/resolve-links.js';
import { join } from 'node:path';

export interface CreateLitbotOptions {
  env?: Env;
  indexDir?: string;
  embedder?: Embedder;
  /** Build the index first when there is none (with progress on `log`). */
  buildIfMissing?: boolean;
  log?: (line: string) => void;
  /** Where the answerer logs LLM failures (default: a logger for `env`, on standard error). */
  logger?: Logger;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The build steps that other parts of Litbot add to `npm run index`: topics and link resolution. */
export function indexBuildHooks(
  env: Pick<Env, 'CACHE_DIR'>,
  options: { resolveLinks?: boolean; log?: (line: string) => void } = {},
): Pick<BuildOptions, 'buildTopics' | 'resolveLinks'> {
  const log = options.log;
  return {
    buildTopics: (input) => buildTopics({ ...input, options: { log } }),
    // Every build applies the links found earlier; only --resolve-links asks arXiv for new ones.
    resolveLinks: async (papers) => {
      await resolveLinks(papers, { cacheFile: arxivLinkCache(env), cacheOnly: !options.resolveLinks, log: options.resolveLinks ? log : undefined });
    },
  };
}

/** Where `--resolve-links` keeps arXiv answers, so a re-run asks arXiv nothing twice. */
export function arxivLinkCache(env: Pick<Env, 'CACHE_DIR'>): string {
  return join(env.CACHE_DIR, 'arxiv-links.json');
}

/** Loads (and if asked, first builds) the index, and returns the facade over it. */
export async function createLitbot(options: CreateLitbotOptions = {}): Promise<Litbot> {
  const env = options.env ?? loadConfig();
  const indexDir = options.indexDir ?? env.INDEX_DIR;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const embedder = options.embedder ?? createEmbedder(env);
  await embedder.init();
  if (!readManifest(indexDir) && options.buildIfMissing) {
    log(`No index in ${indexDir} yet: building it now (about 20 seconds on two cores the first time).`);
    let lastTenth = -1;
    await updateIndex({
      env,
      embedder,
      indexDir,
      ...indexBuildHooks(env, { log }),
      log,
      onEmbedProgress: (done, total) => {
        const tenth = total ? Math.floor((done / total) * 10) : 10;
        if (tenth !== lastTenth) log(`Embedding chunks: ${done}/${total}`);
        lastTenth = tenth;
      },
    });
  }
  const index = await loadIndex(indexDir, embedder);
  const stale = await corpusChangedSince(index, env);
  if (stale) log(`The corpus in ${index.manifest.corpusDir} changed since the index was built (${stale}); run npm run index to include the changes.`);
  return new IndexedLitbot(env, index, embedder, options.logger ?? createLogger(env));
}

/** Why the corpus no longer matches the index, or undefined when it does (or cannot be read). */
async function corpusChangedSince(index: LitIndex, env: Env): Promise<string | undefined> {
  try {
    const corpus = loadCorpus(index.manifest.corpusDir, { skipInvalid: true });
    await indexBuildHooks(env).resolveLinks?.(corpus.papers);
    if (corpusHash(corpus.papers) === index.manifest.corpusHash) return undefined;
    return `${corpus.papers.length} papers now, ${index.manifest.counts.papers} indexed`;
  } catch {
    // A corpus that cannot be read now says so at the next `npm run index`; the index still serves.
    return undefined;
  }
}

class IndexedLitbot implements Litbot {
  private readonly retriever: Retriever;
  private readonly browser: PaperBrowser;
  private readonly answerer: Answerer;

  constructor(
    readonly env: Env,
    readonly index: LitIndex,
    readonly embedder: Embedder,
    logger: Logger,
  ) {
    this.retriever = new Retriever(index, embedder);
    this.browser = new PaperBrowser(index);
    this.answerer = createAnswerer({
      env,
      retrieve: (query, options) => this.retriever.search(query, options),
      topicOf: (paperId) => this.browser.topicOf(paperId),
      corpus: index.papers,
      paperById: (paperId) => index.paperById.get(paperId),
      log: logger,
    });
  }

  about(): About {
    const m = this.index.manifest;
    return {
      version: VERSION,
      papers: m.counts.papers,
      chunks: m.counts.chunks,
      topics: this.index.topics.length,
      builtAt: m.builtAt,
      embeddings: m.embeddings.id,
      dimensions: m.embeddings.dimensions,
      backend: this.answerer.backend,
      model: this.answerer.model,
    };
  }

  search(query: string, options?: SearchOptions): Promise<SearchResponse> {
    return this.retriever.search(query, options);
  }

  ask(question: string, options?: AnswerOptions): Promise<AnswerResult> {
    return this.answerer.answer(question, options);
  }

  topics(): Topic[] {
    return this.browser.topics();
  }

  topic(query: string): Topic {
    return this.browser.topic(query);
  }

  topicOf(paperId: string): Topic | undefined {
    return this.browser.topicOf(paperId);
  }

  lookup(query: string, limit?: number): LookupMatch[] {
    return this.browser.lookup(query, limit);
  }

  paper(titleQuery: string): Paper {
    return this.browser.paper(titleQuery);
  }

  paperById(paperId: string): Paper | undefined {
    return this.index.paperById.get(paperId);
  }

  similar(titleQuery: string, k?: number): { paper: Paper; similar: (SimilarPaper & { paper: Paper })[] } {
    return this.browser.similar(titleQuery, k);
  }

  async close(): Promise<void> {
    await this.embedder.dispose?.();
  }
}

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
  /** The index generation being served (its folder under INDEX_DIR). */
  generation: string;
  embeddings: string;
  dimensions: number;
  backend: string;
  model?: string;
}

export interface Litbot {
  about(): About;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  /** The search as a LangChain retriever (one `Document` per paper), to compose in your own chains. */
  asRetriever(options?: SearchOptions): Promise<LitbotRetriever>;
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
  /** The corpus files the indexed papers came from (as recorded in their sources), sorted. */
  sourceFiles(): string[];
  /** Nearest papers to the best title match, excluding the paper itself (with `VECTOR_STORE=pgvector`, found in the database). */
  similar(titleQuery: string, k?: number): Promise<{ paper: Paper; similar: (SimilarPaper & { paper: Paper })[] }>;
  /**
   * Long-running processes only (`watch`): checks now for a newer index generation and serves it.
   * Resolves true when the generation `CURRENT` names is the one served, false when it failed to load.
   */
  refresh?(): Promise<boolean>;
  close(): Promise<void>;
}

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { join } from 'node:path';
import { filePointer, type LiveIndexEvent } from './indexing/live-index.js';
import { LiveLitbot } from './live-litbot.js';
import type { Answerer } from './answer/answerer.js';
import type { Vocabulary } from './retrieval/collection-stats.js';
import { PaperBrowser, similarityVectors } from './browse/paper-browser.js';
import { paperAliases } from './browse/title-lookup.js';
import { buildTopics } from './browse/topics.js';
import { loadConfig, resolveLlmApiKey, type Env } from './config/env.js';
import { checkProviderPackage, modelName } from './answer/chat-models.js';
import { displayDir, VERSION } from './config/paths.js';
import { IndexMismatchError } from './errors.js';
import type { BuildOptions } from './indexing/build-index.js';
import { fingerprintChanges } from './indexing/corpus-fingerprint.js';
import type { Embedder } from './indexing/embeddings/embedder.js';
import { indexDifferences, openIndex, readManifest, type LitIndex } from './indexing/load-index.js';
import { resolveLinks } from './indexing/resolve-links.js';
import { fromStorable } from './indexing/storable.js';
import type { Retriever } from './retrieval/retriever.js';
import type { CandidateSource } from './retrieval/candidate-source.js';
import type { LitbotRetriever } from './retrieval/langchain-retriever.js';

export interface CreateLitbotOptions {
  env?: Env;
  indexDir?: string;
  embedder?: Embedder;
  /** Build the index first when there is none (with progress on `log`). */
  buildIfMissing?: boolean;
  /**
   * Read every part of the index and start the embedder and the answerer now, rather than when a
   * command first needs them: a long-running process (the bot, the chat) does, so that its first
   * question is as quick as the rest and a damaged file stops it at start. One-shot commands do
   * not, and read only what they use.
   */
  preload?: boolean;
  log?: (line: string) => void;
  /**
   * Keep serving each new index generation as it is built, without a restart (the bot, shards and
   * `npm run chat`); events go to `onIndexEvent`, else to `log`.
   */
  watch?: boolean;
  onIndexEvent?: (event: LiveIndexEvent) => void;
  /** Where the answerer logs LLM failures (default: a logger for `env`, on standard error). */
  logger?: Logger;
}

/** The build steps that other parts of Litbot add to `npm run index`: topics, link resolution, and the derived data they keep in the index. */
export function indexBuildHooks(
  env: Pick<Env, 'CACHE_DIR'> & Partial<Pick<Env, 'ARXIV_API_URL'>>,
  options: { resolveLinks?: boolean; log?: (line: string) => void } = {},
): Pick<BuildOptions, 'buildTopics' | 'resolveLinks' | 'derive' | 'inputs'> {
  const log = options.log;
  return {
    buildTopics: (input) => buildTopics({ ...input, options: { log } }),
    // Every build applies the links found earlier; only --resolve-links asks arXiv for new ones.
    resolveLinks: async (papers) => {
      await resolveLinks(papers, { apiUrl: env.ARXIV_API_URL, cacheFile: arxivLinkCache(env), cacheOnly: !options.resolveLinks, log: options.resolveLinks ? log : undefined });
    },
    derive: async ({ papers, paperVectors }) => ({
      titleAliases: papers.map((p) => paperAliases(p)),
      similarVectors: similarityVectors(papers, paperVectors),
      answerTerms: (await import('./retrieval/collection-stats.js')).buildVocabulary(papers),
    }),
    // The link cache feeds every build, so a change to it makes the index stale.
    inputs: [arxivLinkCache(env)],
  };
}

/** Where `--resolve-links` keeps arXiv answers, so a re-run asks arXiv nothing twice. */
export function arxivLinkCache(env: Pick<Env, 'CACHE_DIR'>): string {
  return join(env.CACHE_DIR, 'arxiv-links.json');
}

/** Opens (and if asked, first builds) the index, and returns the facade over it. */
export async function createLitbot(options: CreateLitbotOptions = {}): Promise<Litbot> {
  const env = options.env ?? loadConfig();
  const indexDir = options.indexDir ?? env.INDEX_DIR;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A provider that needs a key and has none stops the program now, not at the first question.
  // So does one whose LangChain package is not installed (LLM_PROVIDER=groq without @langchain/groq).
  if (env.LLM_PROVIDER !== 'extractive') resolveLlmApiKey(env);
  checkProviderPackage(env.LLM_PROVIDER);
  // The embedder's module (and its model runtime) loads only when a command embeds something.
  // One embedder for every generation this process serves, created on first use.
  let made: Promise<Embedder> | undefined;
  const makeEmbedder = () =>
    (made ??= options.embedder ? Promise.resolve(options.embedder) : import('./indexing/embeddings/create-embedder.js').then(({ createEmbedder }) => createEmbedder(env)));
  if (env.VECTOR_STORE === 'pgvector') return createPgLitbot(env, indexDir, await makeEmbedder(), options, log);
  const embedderId = options.embedder?.id ?? configuredEmbedderId(env.EMBEDDINGS) ?? (await makeEmbedder()).id;
  if (!readManifest(indexDir) && options.buildIfMissing) {
    log(`No index in ${displayDir(indexDir)} yet: building it now (about 20 seconds on two cores the first time).`);
    let lastTenth = -1;
    const { updateIndex } = await import('./indexing/update-index.js');
    await updateIndex({
      env,
      embedder: await makeEmbedder(),
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
  const open = async (preload: boolean, warm: boolean) => {
    // Only the model's name is checked now; its dimensions and window once it is started.
    const index = openIndex(indexDir, { id: embedderId });
    const litbot = new IndexedLitbot(env, index, new CheckedEmbedder(embedderId, makeEmbedder, index, indexDir), options.logger);
    if (preload) await litbot.answerer();
    if (preload) {
      index.loadAll();
      await litbot.embedder.ready();
    }
    // For a process that serves new generations as they come: one search touches the vectors, the
    // graph and both BM25 stores, so a generation that cannot answer fails here, before it serves anyone.
    if (warm) await litbot.search('warm-up', { k: 1 });
    return { name: index.generation, value: litbot as Litbot, index };
  };
  const first = await open(Boolean(options.preload || options.watch), Boolean(options.watch));
  const stale = corpusChangedSince(first.index);
  if (stale) log(`The corpus in ${first.index.manifest.corpusDir} changed since the index was built (${stale}); run npm run index to include the changes.`);
  if (!options.watch) return first.value;
  const onEvent = options.onIndexEvent ?? ((event: LiveIndexEvent) => log(describeIndexEvent(event)));
  // Every later generation is read whole before it serves: nothing is answered from a half-loaded index.
  return new LiveLitbot(first, () => open(true, true), { pointer: filePointer(indexDir), pollMs: env.INDEX_POLL_MS, onEvent });
}

/** One line for the log about what the index watcher did. */
export function describeIndexEvent(event: LiveIndexEvent): string {
  if (event.type === 'swapped') return `Serving the new index ${event.generation} (loaded in ${event.loadMs} ms; was ${event.previous}).`;
  if (event.type === 'failed') return `The new index ${event.generation} could not be loaded; still serving ${event.serving}. ${event.message}`;
  return event.message;
}

/**
 * `VECTOR_STORE=pgvector`: the index comes from Postgres (built into it first when there is none
 * and `buildIfMissing`), and searches run there. An unreachable server or a database without
 * pgvector stops here with the fix. With `watch`, the process polls `litbot.current` every
 * `INDEX_POLL_MS` and serves each new generation once it has loaded whole and answered a search,
 * as file-index processes do with `CURRENT` (`live-index.ts`).
 */
async function createPgLitbot(env: Env, indexDir: string, embedder: Embedder, options: CreateLitbotOptions, log: (line: string) => void): Promise<Litbot> {
  const [
    { connectDatabase, currentGeneration },
    { openPgIndex, pgSimilar, publishToDatabase },
    { pgvectorSource },
    { DatabaseUrlMissingError, DatabaseUnavailableError, GenerationGoneError, describeDatabase },
  ] = await Promise.all([
    import('./indexing/stores/pgvector-store.js'),
    import('./indexing/stores/pg-index.js'),
    import('./retrieval/candidate-source.js'),
    import('./indexing/stores/pg-errors.js'),
  ]);
  if (!env.DATABASE_URL) throw new DatabaseUrlMissingError();
  const where = describeDatabase(env.DATABASE_URL);
  // One pool for every generation this process serves: closing the one being served closes it.
  const pool = await connectDatabase(env.DATABASE_URL);
  const open = async (preload: boolean, warm: boolean) => {
    const { index, store } = await openPgIndex(pool, embedder, { where });
    const litbot = new IndexedLitbot(env, index, new CheckedEmbedder(embedder.id, async () => embedder, index, index.dir), options.logger, {
      source: pgvectorSource(store, index),
      similar: pgSimilar(store, index),
      close: () => pool.end(),
    });
    if (preload) await litbot.answerer();
    if (preload) await litbot.embedder.ready();
    // One search reads from every table the searches use: a generation that cannot answer fails here, before it serves anyone.
    if (warm) await litbot.search('warm-up', { k: 1 });
    return { name: index.generation, value: litbot as Litbot };
  };
  let first: { name: string; value: Litbot };
  try {
    if (options.buildIfMissing && !(await currentGeneration(pool))) {
      if (!readManifest(indexDir)) {
        log(`No index in Postgres at ${where} yet: building it now.`);
        const { updateIndex } = await import('./indexing/update-index.js');
        await updateIndex({ env, embedder, indexDir, ...indexBuildHooks(env, { log }), log });
      }
      await publishToDatabase(env, indexDir, embedder, { log });
    }
    first = await open(Boolean(options.preload || options.watch), false);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  if (!options.watch) return first.value;
  const onEvent = options.onIndexEvent ?? ((event: LiveIndexEvent) => log(describeIndexEvent(event)));
  return new LiveLitbot(first, () => open(true, true), {
    pointer: { read: async () => (await currentGeneration(pool))?.info.name, describe: `the database at ${where}` },
    pollMs: env.INDEX_POLL_MS,
    onEvent,
    transient: (error) => error instanceof DatabaseUnavailableError,
    generationGone: (error) => error instanceof GenerationGoneError,
  });
}

/** What changed in the corpus since the build, in words, or undefined when nothing did (or it cannot be told). */
function corpusChangedSince(index: LitIndex): string | undefined {
  const { corpusDir, corpusFingerprint } = index.manifest;
  // A corpus folder that is not there now (another working folder) says nothing about the index.
  if (!corpusFingerprint || !existsSync(corpusDir)) return undefined;
  return fingerprintChanges(corpusDir, corpusFingerprint);
}

/** The id `createEmbedder` gives a well-formed `EMBEDDINGS` spec, without loading an embedder module; undefined for a spec it would refuse. */
function configuredEmbedderId(spec: string): string | undefined {
  if (spec === 'use-lite') return spec;
  const m = /^(transformers|openai|ollama):(.*\S.*)$/.exec(spec);
  return m ? `${m[1]}:${m[2].trim()}` : undefined;
}

/**
 * The configured embedder, created and started on first use (`paper` and `topics` never load it),
 * and checked then against the index: a different model, dimension or chunking says how to fix it.
 */
class CheckedEmbedder implements Embedder {
  private inner?: Embedder;
  private starting?: Promise<Embedder>;

  constructor(
    readonly id: string,
    private readonly create: () => Promise<Embedder>,
    private readonly index: LitIndex,
    private readonly indexDir: string,
  ) {}

  /** Known once started. */
  get dimensions(): number {
    return this.inner?.dimensions ?? 0;
  }
  get maxTokens(): number {
    return this.inner?.maxTokens ?? 0;
  }

  ready(): Promise<Embedder> {
    this.starting ??= this.create().then(async (inner) => {
      this.inner = inner;
      await inner.init();
      const differences = indexDifferences(this.index.manifest, inner);
      if (differences.length) throw new IndexMismatchError(this.indexDir, differences);
      return inner;
    });
    return this.starting;
  }

  async init(): Promise<void> {
    await this.ready();
  }

  countTokens(text: string): number {
    if (!this.inner) throw new Error('CheckedEmbedder: call init() first');
    return this.inner.countTokens(text);
  }

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    return (await this.ready()).embedDocuments(texts);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.ready()).embedQuery(text);
  }

  async dispose(): Promise<void> {
    await this.inner?.dispose?.();
  }
}

class IndexedLitbot implements Litbot {
  private searching?: Promise<Retriever>;
  private readonly browser: PaperBrowser;
  private answering?: Promise<Answerer>;

  constructor(
    readonly env: Env,
    readonly index: LitIndex,
    readonly embedder: CheckedEmbedder,
    /** Default: a logger for `env`, created with the answerer (pino stays unloaded for `search` and `paper`). */
    private readonly logger: Logger | undefined,
    /** Postgres (`VECTOR_STORE=pgvector`): where searches and /similar run, and the pool to close. */
    private readonly external: { source: CandidateSource; similar(paperId: string, k: number): Promise<SimilarPaper[]>; close(): Promise<void> } | undefined = undefined,
  ) {
    // The index itself: its parts stay unread until browsing needs them.
    this.browser = new PaperBrowser(index);
  }

  /** The retriever, created on the first search: its candidate sources bring LangChain's vector-store classes, which `paper` and `topics` never need. */
  private retriever(): Promise<Retriever> {
    this.searching ??= import('./retrieval/retriever.js').then(({ Retriever }) => new Retriever(this.index, this.embedder, this.external?.source));
    return this.searching;
  }

  /** The answerer, created on the first question: its module brings the LLM clients, which `search` and `paper` never need. */
  answerer(): Promise<Answerer> {
    this.answering ??= Promise.all([
      import('./answer/answerer.js'),
      import('./retrieval/langchain-retriever.js'),
      this.asRetriever(),
      this.logger ? undefined : import('./config/logger.js'),
    ]).then(([{ createAnswerer }, { searchThrough }, retriever, logging]) => {
      const { index } = this;
      return createAnswerer({
        env: this.env,
        // Through the LangChain retriever, so its callbacks and tracing see every question's search.
        retrieve: (query, options) => searchThrough(retriever, query, options),
        topicOf: (paperId) => this.browser.topicOf(paperId),
        topics: () => this.browser.topics(),
        get corpus() {
          return index.papers;
        },
        vocabulary: index.answerTerms === undefined ? undefined : () => fromStorable<Vocabulary>(index.answerTerms),
        paperById: (paperId) => index.paperById.get(paperId),
        log: this.logger ?? logging!.createLogger(this.env),
      });
    });
    return this.answering;
  }

  about(): About {
    const m = this.index.manifest;
    return {
      version: VERSION,
      papers: m.counts.papers,
      chunks: m.counts.chunks,
      topics: m.counts.topics,
      builtAt: m.builtAt,
      generation: this.index.generation,
      embeddings: m.embeddings.id,
      dimensions: m.embeddings.dimensions,
      backend: this.env.LLM_PROVIDER,
      model: modelName(this.env),
    };
  }

  async search(query: string, options?: SearchOptions): Promise<SearchResponse> {
    return (await this.retriever()).search(query, options);
  }

  /** Loaded on first use: LangChain's retriever module costs 0.2-0.4 s to import, which `paper` or `topics` never need. */
  async asRetriever(options?: SearchOptions): Promise<LitbotRetriever> {
    const { LitbotRetriever } = await import('./retrieval/langchain-retriever.js');
    return new LitbotRetriever({ search: async (query, o) => (await this.retriever()).search(query, o), options });
  }

  async ask(question: string, options?: AnswerOptions): Promise<AnswerResult> {
    return (await this.answerer()).answer(question, options);
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

  async similar(titleQuery: string, k = 5): Promise<{ paper: Paper; similar: (SimilarPaper & { paper: Paper })[] }> {
    if (!this.external) return this.browser.similar(titleQuery, k);
    const paper = this.browser.paper(titleQuery);
    const similar = await this.external.similar(paper.id, k);
    return { paper, similar: similar.map((s) => ({ ...s, paper: this.index.paperById.get(s.paperId)! })) };
  }

  sourceFiles(): string[] {
    return [...new Set(this.index.papers.flatMap((p) => p.sources.map((s) => s.file)))].sort();
  }

  async close(): Promise<void> {
    await this.embedder.dispose();
    await this.external?.close();
  }
}

/**
 * The facade of a long-running process (the bot, each shard, `npm run chat`): a `Litbot` that
 * always answers from the newest index generation it has loaded. Each call reads the generation
 * being served once and runs on it to the end, so a question in flight when a new generation
 * arrives finishes on the old one while the next question uses the new one.
 */
import type { AnswerOptions, AnswerResult } from './answer/types.js';
import type { LookupMatch, SimilarPaper, Topic } from './browse/types.js';
import type { Paper } from './corpus/paper.js';
import { LiveIndex, type Generation, type LiveIndexEvent, type PointerSource } from './indexing/live-index.js';
import type { About, Litbot } from './litbot.js';
import type { LitbotRetriever } from './retrieval/langchain-retriever.js';
import type { SearchOptions, SearchResponse } from './retrieval/types.js';

export interface WatchOptions {
  /** What names the generation to serve: the index folder's `CURRENT` (`filePointer`) or the database's `litbot.current`. */
  pointer: PointerSource;
  /** Poll of the pointer (the fallback for the index folder's file events), in ms. */
  pollMs: number;
  onEvent?: (event: LiveIndexEvent) => void;
  /** Load errors after which the same generation is tried again at the next poll (a lost database connection). */
  transient?: (error: unknown) => boolean;
  /**
   * True for an error that says the generation being served is gone (its tables were dropped):
   * the request fails as any failed request does, and the newest generation is loaded at once.
   */
  generationGone?: (error: unknown) => boolean;
}

/** A `Litbot` over the generation being served, swapped when a new one is built. */
export class LiveLitbot implements Litbot {
  private readonly live: LiveIndex<Litbot>;

  constructor(
    initial: Generation<Litbot>,
    load: () => Promise<Generation<Litbot>>,
    private readonly options: WatchOptions,
  ) {
    this.live = new LiveIndex({
      pointer: options.pointer,
      initial,
      load,
      pollMs: options.pollMs,
      onEvent: options.onEvent,
      transient: options.transient,
    }).start();
  }

  /** Runs a request on the generation being served; one failing because that generation is gone starts the swap to the newest. */
  private async on<R>(work: (litbot: Litbot) => Promise<R>): Promise<R> {
    try {
      return await work(this.now);
    } catch (error) {
      if (this.options.generationGone?.(error)) void this.live.refresh();
      throw error;
    }
  }

  /** The generation new requests use. */
  private get now(): Litbot {
    return this.live.current;
  }

  about(): About {
    return this.now.about();
  }

  search(query: string, options?: SearchOptions): Promise<SearchResponse> {
    return this.on((litbot) => litbot.search(query, options));
  }

  /** A retriever whose every call searches the generation being served then. */
  async asRetriever(options?: SearchOptions): Promise<LitbotRetriever> {
    const { LitbotRetriever } = await import('./retrieval/langchain-retriever.js');
    return new LitbotRetriever({ search: (query, o) => this.search(query, o), options });
  }

  ask(question: string, options?: AnswerOptions): Promise<AnswerResult> {
    return this.on((litbot) => litbot.ask(question, options));
  }

  topics(): Topic[] {
    return this.now.topics();
  }

  topic(query: string): Topic {
    return this.now.topic(query);
  }

  topicOf(paperId: string): Topic | undefined {
    return this.now.topicOf(paperId);
  }

  lookup(query: string, limit?: number): LookupMatch[] {
    return this.now.lookup(query, limit);
  }

  paper(titleQuery: string): Paper {
    return this.now.paper(titleQuery);
  }

  paperById(paperId: string): Paper | undefined {
    return this.now.paperById(paperId);
  }

  similar(titleQuery: string, k?: number): Promise<{ paper: Paper; similar: (SimilarPaper & { paper: Paper })[] }> {
    return this.on((litbot) => litbot.similar(titleQuery, k));
  }

  sourceFiles(): string[] {
    return this.now.sourceFiles();
  }

  refresh(): Promise<boolean> {
    return this.live.refresh();
  }

  async close(): Promise<void> {
    this.live.close();
    // Every generation shares one embedder: closing the current one frees it.
    await this.now.close();
  }
}

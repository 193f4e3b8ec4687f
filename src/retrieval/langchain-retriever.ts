/**
 * The hybrid retriever as a LangChain `BaseRetriever`: `invoke(question)` returns one `Document`
 * per paper, best first, its best passages as `pageContent` and the paper's metadata and scores in
 * `metadata`, so it composes in a user's own chains (`retriever.pipe(...)`, LCEL, agents) with
 * LangChain's callbacks and tracing. Litbot's answer pipeline retrieves through it too
 * (`searchThrough`), whichever store serves (files or Postgres).
 */
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import type { DocumentInterface } from '@langchain/core/documents';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { PaperHit, SearchOptions, SearchResponse } from './types.js';

/** What each paper's `Document` carries. */
export interface PaperDocumentMetadata {
  paperId: string;
  title: string;
  url: string;
  authors?: string[];
  date?: string;
  isoDate?: string;
  venue?: string;
  /** 1-based rank in this result list. */
  rank: number;
  /** The retriever's score (comparable within one list), and each side's where it ran. */
  score: number;
  dense?: number;
  bm25?: number;
  passages: { chunkId: string; text: string; score: number }[];
  /** The hit as the retriever made it (Litbot's own pipeline reads it). */
  hit: PaperHit;
  /** What the search said about the whole query (shared by the list's documents). */
  search: Omit<SearchResponse, 'hits'>;
}

export type PaperDocument = DocumentInterface<PaperDocumentMetadata>;

export interface LitbotRetrieverInput extends BaseRetrieverInput {
  /** The search to run: `Retriever.search` of a loaded index. */
  search: (query: string, options?: SearchOptions) => Promise<SearchResponse>;
  /** Search options for every call (papers, mode, filters); a call's `configurable.search` overrides them. */
  options?: SearchOptions;
}

/** A paper hit as a `Document`. */
export function hitDocument(hit: PaperHit, rank: number, search: Omit<SearchResponse, 'hits'>): PaperDocument {
  const p = hit.paper;
  return {
    id: hit.paperId,
    pageContent: hit.passages.map((x) => x.text).join('\n\n') || p.abstract,
    metadata: {
      paperId: hit.paperId,
      title: p.title,
      url: p.url,
      ...(p.authors ? { authors: p.authors } : {}),
      ...(p.date ? { date: p.date } : {}),
      ...(p.isoDate ? { isoDate: p.isoDate } : {}),
      ...(p.venue ? { venue: p.venue } : {}),
      rank,
      score: hit.score,
      ...(hit.dense !== undefined ? { dense: hit.dense } : {}),
      ...(hit.bm25 !== undefined ? { bm25: hit.bm25 } : {}),
      passages: hit.passages.map(({ chunkId, text, score }) => ({ chunkId, text, score })),
      hit,
      search,
    },
  };
}

/** The response behind each list of documents `invoke` returned (LangChain hands back the list itself), for `searchThrough`. */
const responses = new WeakMap<PaperDocument[], SearchResponse>();

export class LitbotRetriever extends BaseRetriever<PaperDocumentMetadata> {
  override lc_namespace = ['litbot', 'retrievers'];
  private readonly run: LitbotRetrieverInput['search'];
  readonly options: SearchOptions;

  constructor(input: LitbotRetrieverInput) {
    super(input);
    this.run = input.search;
    this.options = input.options ?? {};
  }

  static override lc_name(): string {
    return 'LitbotRetriever';
  }

  override async _getRelevantDocuments(query: string, runManager?: CallbackManagerForRetrieverRun): Promise<PaperDocument[]> {
    void runManager;
    return this.documents(query, this.options);
  }

  private async documents(query: string, options: SearchOptions): Promise<PaperDocument[]> {
    const response = await this.run(query, options);
    const { hits, ...search } = response;
    const documents = hits.map((hit, i) => hitDocument(hit, i + 1, search));
    responses.set(documents, response);
    return documents;
  }

  /** `invoke` with per-call search options (`k`, filters), read from `config.configurable.search`. */
  override async invoke(input: string, config?: RunnableConfig): Promise<PaperDocument[]> {
    const perCall = (config?.configurable as { search?: SearchOptions } | undefined)?.search;
    if (!perCall) return super.invoke(input, config);
    const scoped = new LitbotRetriever({ search: this.run, options: { ...this.options, ...perCall }, callbacks: this.callbacks, tags: this.tags, metadata: this.metadata });
    return scoped.invoke(input, { ...config, configurable: { ...config?.configurable, search: undefined } });
  }
}

/**
 * A search run through the LangChain retriever (its callbacks and tracing included), given back as
 * the `SearchResponse` the answer pipeline reads.
 */
export async function searchThrough(retriever: LitbotRetriever, query: string, options: SearchOptions = {}, config: RunnableConfig = {}): Promise<SearchResponse> {
  const documents = await retriever.invoke(query, { ...config, configurable: { ...config.configurable, search: options } });
  const response = responses.get(documents);
  if (response) return response;
  // A list that went through something which copied it: rebuilt from the documents.
  const search = documents[0]?.metadata.search;
  return { ...(search ?? { query: query.trim(), queryCoverage: 0, timings: { embedMs: 0, denseMs: 0, bm25Ms: 0, totalMs: 0 } }), hits: documents.map((d) => d.metadata.hit) };
}

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

import type { Paper } from '../corpus/paper.js';
import type { RankFeatures, RankerModel } from './ranker.js';
import type { Correction } from './spelling.js';

/** One chunk of a paper's abstract, as indexed. */
export interface Chunk {
  /** Stable: `<paperId>#<seq>`. */
  id: string;
  paperId: string;
  seq: number;
  /** The passage itself (sentences of the abstract). */
  text: string;
  /** What the embedder reads: the (possibly shortened) title, then the passage. */
  embedText: string;
}

/** A passage that supports a hit, with its score for the query. */
export interface Passage {
  chunkId: string;
  text: string;
  /** Cosine similarity to the query (dense) or BM25 score, whichever found it; higher is better. */
  score: number;
  dense?: number;
  bm25?: number;
}

/** A paper found for a query, with its best evidence. */
export interface PaperHit {
  paperId: string;
  paper: Paper;
  /** The ranker's score (hybrid), or one side's (dense, bm25); higher is better. Comparable within one result list only. */
  score: number;
  /** Best cosine similarity of any of its chunks to the query (0..1), when dense search ran. */
  dense?: number;
  /** Best BM25 score of any of its chunks, when lexical search ran. */
  bm25?: number;
  denseRank?: number;
  bm25Rank?: number;
  /** This paper's share of a rare name from the query (1 / the number of papers holding it; see `FUSION.nameMaxPapers`). */
  nameBonus?: number;
  /** The signals the ranker scored (see `RANK_FEATURES`). */
  features?: RankFeatures;
  passages: Passage[];
}

export type SearchMode = 'hybrid' | 'dense' | 'bm25';

export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  /** Inclusive ISO date bounds (YYYY-MM-DD); papers without a known date are left out when set. */
  from?: string;
  to?: string;
  /** Only papers listed in a source file whose path contains this string. */
  sourceFile?: string;
  /** Passages kept per paper. */
  passages?: number;
  /** Correct the query's typos against the collection first (default true). */
  correct?: boolean;
  /** The ranking model for hybrid search (default: the fitted one); 'fixed' is the old fixed fusion, for comparison. */
  ranker?: RankerModel | 'fixed';
  /** Return every candidate paper, not only the top k, with every feature computed (for fitting the ranker). */
  allCandidates?: boolean;
}

export interface SearchResponse {
  /** The query searched for: as typed, with its typos corrected. */
  query: string;
  /** The query as typed, when a correction changed it. */
  typedQuery?: string;
  /** The words read differently, when any. */
  corrections?: Correction[];
  hits: PaperHit[];
  /** Share of the query's content words found in the corpus vocabulary (0..1). */
  queryCoverage: number;
  timings: { embedMs: number; denseMs: number; bm25Ms: number; totalMs: number };
}

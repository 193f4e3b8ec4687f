/** A research topic discovered in the collection at index time. */
export interface Topic {
  id: number;
  /** Its most distinctive key phrases joined by " · ", e.g. "continual learning · catastrophic forgetting". */
  label: string;
  keyPhrases: string[];
  /** Papers in the topic, most central first. */
  papers: { paperId: string; centrality: number }[];
}

/** A paper near another one in the collection. */
export interface SimilarPaper {
  paperId: string;
  /** Cosine similarity of the two papers' vectors. */
  score: number;
}

/** One fuzzy title match, for autocomplete. */
export interface LookupMatch {
  paperId: string;
  title: string;
  score: number;
}

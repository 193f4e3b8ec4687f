/** Where a paper was read from: a file under the corpus folder and the 1-based line its block starts on. */
export interface SourceRef {
  file: string;
  line: number;
}

/** One research paper, as ingested from the corpus. */
export interface Paper {
  /** Stable id: a hash of the normalised title (or of the abstract when the title is derived). */
  id: string;
  title: string;
  /** True when the source had no title and this one was made from the abstract. */
  titleDerived: boolean;
  abstract: string;
  /** The paper's own URL when known, else an arXiv search link. */
  url: string;
  /** True when `url` is the paper's own link rather than a search. */
  urlIsDirect: boolean;
  authors?: string[];
  authorCount?: number;
  /** As the source gives it, e.g. "May 23, 2023" or "2024-05-01". */
  date?: string;
  /** ISO date (YYYY-MM-DD) when the source's date could be read, for filtering. */
  isoDate?: string;
  venue?: string;
  tags?: string[];
  upvotes?: number;
  sources: SourceRef[];
}

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
  /**
   * The paper's own URL when known; else a search for it: on arXiv when the source says it is an
   * arXiv paper, else on Google Scholar.
   */
  url: string;
  /** True when `url` is the paper's own link rather than a search. */
  urlIsDirect: boolean;
  /** The authors, when the source lists them. */
  authors?: string[];
  authorCount?: number;
  /**
   * Whose author page listed the paper, when the source names only that person (one of the
   * authors, not all of them): show it as "with Reynold Cheng", never as the author list.
   */
  listedBy?: string[];
  /** As the source gives it, e.g. "May 23, 2023" or "2024-05-01". */
  date?: string;
  /** ISO date (YYYY-MM-DD) when the source's date could be read, for filtering. */
  isoDate?: string;
  venue?: string;
  tags?: string[];
  upvotes?: number;
  sources: SourceRef[];
}

/**
 * "with Reynold Cheng (listed on their author page)": the line to show in place of an author list
 * for a paper whose source names only the page's owner; undefined when there is nothing to say.
 */
export function listedByText(paper: Pick<Paper, 'listedBy'>): string | undefined {
  const names = paper.listedBy ?? [];
  if (!names.length) return undefined;
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `with ${who} (listed on ${names.length === 1 ? 'their author page' : 'their author pages'})`;
}

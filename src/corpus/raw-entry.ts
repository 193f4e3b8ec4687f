import type { CorpusIssue } from '../errors.js';

/** A paper as one source format gives it, before normalising and merging. */
export interface RawEntry {
  title?: string;
  abstract: string;
  url?: string;
  authors?: string[];
  authorCount?: number;
  /** The owner of the author page the entry was listed on: one of its authors, not all of them. */
  listedBy?: string[];
  /** The source says the paper is on arXiv (an arXiv listing, an arXiv id or link), so a search for it goes to arXiv. */
  fromArxiv?: boolean;
  date?: string;
  venue?: string;
  tags?: string[];
  upvotes?: number;
  /** 1-based line where the entry starts. */
  line: number;
}

/** What a format parser returns for one file. */
export interface ParsedFile {
  entries: RawEntry[];
  issues: CorpusIssue[];
}

/** A non-empty line with its 1-based number. */
export interface NumberedLine {
  n: number;
  text: string;
}

export function numberedLines(text: string): NumberedLine[] {
  return text.split('\n').map((t, i) => ({ n: i + 1, text: t.trimEnd() }));
}

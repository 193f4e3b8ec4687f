/**
 * The sizes the corpus reader accepts. Anything larger is reported as `file:line: reason` and left
 * out, so no single input can exhaust memory or time: the reader's cost stays proportional to the
 * accepted text. Documented in the README's "Corpus formats".
 */
export const CORPUS_LIMITS = {
  /**
   * Longest abstract, in characters. arXiv caps abstracts at 1,920 characters (the seeds' longest
   * is exactly that); structured journal abstracts run to a few thousand. Five times arXiv's cap
   * leaves room for those and still catches a whole paper or a run of abstracts pasted as one.
   */
  maxAbstractChars: 10_000,
  /** Longest title, in characters (the seeds' longest is 147). */
  maxTitleChars: 500,
  /** Largest file read, in bytes: 50 MiB holds about 30,000 abstracts at arXiv's cap; split bigger corpora into several files. */
  maxFileBytes: 50 * 1024 * 1024,
} as const;

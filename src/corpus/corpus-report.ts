/** What the corpus reader tells the user besides the papers: notes that change nothing's validity. */

/**
 * Something the reader did that the user should know about but that loses nothing: a file read
 * in an assumed encoding, a symlink loop not followed, two listings kept apart although they
 * share a title. `line` is absent when the note is about a whole file or folder.
 */
export interface CorpusNote {
  file: string;
  line?: number;
  message: string;
}

/** `file:line`, or `file` alone for a whole file or folder (line 0 or absent). */
export function where(ref: { file: string; line?: number }): string {
  return ref.line ? `${ref.file}:${ref.line}` : ref.file;
}

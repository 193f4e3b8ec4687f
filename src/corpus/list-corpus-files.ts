/**
 * Finds the files under the corpus folder: sub-folders too, dot-files skipped, symlinks followed
 * (each real file and folder read once, so a link loop ends), and everything that cannot be read
 * (a folder without permission, a broken link, a named pipe or device) reported by path.
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CorpusIssue } from '../errors.js';
import type { CorpusNote } from './corpus-report.js';

export interface ListedCorpusFiles {
  /** Paths of the regular files to read, in a stable order (by name, folder by folder). */
  paths: string[];
  issues: CorpusIssue[];
  notes: CorpusNote[];
}

/** An fs error as a reason a user can act on: "permission denied (EACCES)". */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const what: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'it does not exist (any more)',
    ELOOP: 'symlink loop',
    EIO: 'input/output error',
    EMFILE: 'too many open files',
    ENAMETOOLONG: 'path too long',
  };
  if (code) return `${what[code] ?? 'system error'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

function kindOf(stat: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Lists the corpus files under `dir` (which must exist and be a folder). `show` turns a path into
 * what messages name (relative to the working folder).
 */
export function listCorpusFiles(dir: string, show: (path: string) => string): ListedCorpusFiles {
  const out: ListedCorpusFiles = { paths: [], issues: [], notes: [] };
  /** Real paths of the folders entered and files listed, with the path they were first reached by. */
  const folders = new Map<string, string>();
  const files = new Map<string, string>();
  const problem = (path: string, reason: string) => out.issues.push({ file: show(path), line: 0, reason });

  const enterFolder = (path: string, viaLink: boolean) => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (error) {
      problem(path, `cannot read this folder: ${fsReason(error)}`);
      return;
    }
    const first = folders.get(real);
    if (first !== undefined) {
      // Not entering a folder twice is what ends a link loop; the files are read once, by the first path.
      const message = viaLink
        ? `${`${path}/`.startsWith(`${first}/`) ? 'a symlink loop' : 'a symlink'} to ${show(first)}, which is read already: not followed`
        : `the same folder as ${show(first)} (reached through a symlink), which is read already: not read twice`;
      out.notes.push({ file: show(path), message });
      return;
    }
    folders.set(real, path);
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (error) {
      problem(path, `cannot read this folder: ${fsReason(error)}`);
      return;
    }
    for (const entry of entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) enterFolder(child, false);
      else if (entry.isFile()) addFile(child, false);
      else if (entry.isSymbolicLink()) followLink(child);
      else problem(child, `${kindOf(entry)}, not a text file: skipped`);
    }
  };

  const addFile = (path: string, viaLink: boolean) => {
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // Reading it will say what is wrong.
    }
    const first = files.get(real);
    if (first !== undefined) {
      out.notes.push({ file: show(path), message: `${viaLink ? 'a symlink to' : 'the same file as'} ${show(first)}, which is read already: read once` });
      return;
    }
    files.set(real, path);
    out.paths.push(path);
  };

  const followLink = (path: string) => {
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      const reason =
        code === 'ENOENT'
          ? 'a broken symlink (its target does not exist)'
          : code === 'ELOOP'
            ? 'a symlink loop (the link leads back to itself)'
            : `cannot follow this symlink: ${fsReason(error)}`;
      problem(path, `${reason}: skipped`);
      return;
    }
    if (stat.isDirectory()) enterFolder(path, true);
    else if (stat.isFile()) addFile(path, true);
    else problem(path, `a symlink to ${kindOf(stat)}, not a text file: skipped`);
  };

  enterFolder(dir, false);
  return out;
}

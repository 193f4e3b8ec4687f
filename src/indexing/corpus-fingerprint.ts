/**
 * A cheap answer to "has the corpus changed since the index was built?", for every start of the
 * bot and of the one-shot commands. The build records each corpus file's path, size, mtime and
 * SHA-256; a start lists the folder and stats its files (no reading), and hashes only the files
 * whose size or mtime changed, to tell an edit from a mere touch. Parsing and hashing the whole
 * corpus is left to `npm run index`, which decides what to rebuild.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FingerprintFile {
  /** Relative to the corpus folder (or absolute for inputs outside it, such as the arXiv link cache). */
  path: string;
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

export interface CorpusFingerprint {
  files: FingerprintFile[];
  /** Files outside the corpus folder that the build read too (the arXiv link cache), absolute paths; a missing one is recorded with `bytes: -1`. */
  extra?: FingerprintFile[];
}

/** Every file under `dir` (dot-entries skipped, symlinks followed once), with its size and mtime. */
function listFiles(dir: string): { path: string; bytes: number; mtimeMs: number }[] {
  const out: { path: string; bytes: number; mtimeMs: number }[] = [];
  const seen = new Set<string>();
  const walk = (folder: string) => {
    let real: string;
    try {
      real = realpathSync(folder);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      try {
        const stat = statSync(path);
        if (stat.isDirectory()) walk(path);
        else if (stat.isFile()) out.push({ path: relative(dir, path), bytes: stat.size, mtimeMs: stat.mtimeMs });
      } catch {
        // A dangling link or unreadable entry: the corpus loader reports it at the next build.
      }
    }
  };
  walk(dir);
  return out;
}

/** The file's SHA-256, or '' when it cannot be read (the corpus loader reports such a file itself). */
function sha256(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

function statExtra(path: string): FingerprintFile {
  try {
    const stat = statSync(path);
    return { path, bytes: stat.size, mtimeMs: stat.mtimeMs, sha256: '' };
  } catch {
    return { path, bytes: -1, mtimeMs: 0, sha256: '' };
  }
}

/** Takes the fingerprint of a corpus (and of `extra` input files) at build time; call it before reading the corpus, so an edit made during the build shows as a change later. */
export function takeFingerprint(corpusDir: string, extra: string[] = []): CorpusFingerprint {
  const files = listFiles(corpusDir).map((f) => ({ ...f, sha256: sha256(join(corpusDir, f.path)) }));
  const extras = extra.map((path) => {
    const f = statExtra(path);
    return f.bytes >= 0 ? { ...f, sha256: sha256(path) } : f;
  });
  return extras.length ? { files, extra: extras } : { files };
}

/**
 * What changed since `fingerprint` was taken, in words ("2 files changed: a.jsonl, b.txt"), or
 * undefined when nothing did. Reads only files whose size or mtime differ.
 */
export function fingerprintChanges(corpusDir: string, fingerprint: CorpusFingerprint): string | undefined {
  const recorded = new Map(fingerprint.files.map((f) => [f.path, f]));
  const now = listFiles(corpusDir);
  const added: string[] = [];
  const changed: string[] = [];
  const differs = (was: FingerprintFile, file: string, bytes: number, mtimeMs: number) => bytes !== was.bytes || (mtimeMs !== was.mtimeMs && sha256(file) !== was.sha256);
  for (const f of now) {
    const was = recorded.get(f.path);
    recorded.delete(f.path);
    if (!was) added.push(f.path);
    else if (differs(was, join(corpusDir, f.path), f.bytes, f.mtimeMs)) changed.push(f.path);
  }
  const removed = [...recorded.keys()];
  for (const was of fingerprint.extra ?? []) {
    const f = statExtra(was.path);
    if (f.bytes !== was.bytes || (f.bytes >= 0 && differs(was, was.path, f.bytes, f.mtimeMs))) changed.push(was.path);
  }
  const parts: string[] = [];
  const list = (what: string, paths: string[]) => {
    if (!paths.length) return;
    const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? `, and ${paths.length - 3} more` : '');
    parts.push(`${paths.length} file${paths.length > 1 ? 's' : ''} ${what}: ${shown}`);
  };
  list('added', added);
  list('changed', changed);
  list('removed', removed);
  return parts.length ? parts.join('; ') : undefined;
}

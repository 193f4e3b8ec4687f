/**
 * Reads every file under the corpus folder, detects each file's format, parses it, and merges the
 * listings of one paper into one `Paper`. Nothing is dropped silently: every block, file or folder
 * that cannot be read comes back as an issue with its file and line, every merge with both
 * sources, and every assumption (an encoding, a link not followed) as a note.
 */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { CorpusError, type CorpusIssue } from '../errors.js';
import { CORPUS_LIMITS } from './corpus-limits.js';
import type { CorpusNote } from './corpus-report.js';
import { looksLikeAbstractLines, parseAbstractLines } from './formats/abstract-lines.js';
import { looksLikeAuthorPage, parseAuthorPage } from './formats/author-page.js';
import { looksLikeDailyPapers, parseDailyPapers } from './formats/daily-papers.js';
import { looksLikeJson, parseJson } from './formats/json.js';
import { listCorpusFiles } from './list-corpus-files.js';
import { mergeEntries, type CorpusMerge } from './merge-entries.js';
import type { Paper } from './paper.js';
import type { ParsedFile, RawEntry } from './raw-entry.js';
import { readCorpusFile } from './read-corpus-file.js';

export type { CorpusMerge } from './merge-entries.js';
export type { CorpusNote } from './corpus-report.js';

export type CorpusFormat = 'author-page' | 'daily-papers' | 'abstract-lines' | 'json';

export interface CorpusFileReport {
  file: string;
  format: CorpusFormat | 'unreadable';
  entries: number;
  issues: number;
  /** Set when the file was not UTF-8 and was decoded as this encoding. */
  encoding?: string;
}

export interface Corpus {
  papers: Paper[];
  /** Entries read, before merging duplicates. */
  entries: number;
  /** The number of merges (`merges.length`). */
  duplicatesMerged: number;
  /** Every listing merged into a paper read before it, with both sources and the reason. */
  merges: CorpusMerge[];
  issues: CorpusIssue[];
  /** What the reader assumed or left alone without losing anything (encodings, links, near misses kept apart). */
  notes: CorpusNote[];
  files: CorpusFileReport[];
}

export interface LoadCorpusOptions {
  /** Keep going past invalid blocks (they are still reported in `issues`). */
  skipInvalid?: boolean;
}

export function detectFormat(text: string, file: string): CorpusFormat | undefined {
  if (looksLikeJson(text, file)) return 'json';
  if (looksLikeAbstractLines(text)) return 'abstract-lines';
  if (looksLikeAuthorPage(text)) return 'author-page';
  if (looksLikeDailyPapers(text)) return 'daily-papers';
  return undefined;
}

const PARSERS: Record<CorpusFormat, (text: string, file: string) => ParsedFile> = {
  'author-page': parseAuthorPage,
  'daily-papers': parseDailyPapers,
  'abstract-lines': parseAbstractLines,
  json: parseJson,
};

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The entries within the size limits, and an issue for each one over them. */
function withinLimits(entries: RawEntry[], file: string): { kept: RawEntry[]; issues: CorpusIssue[] } {
  const kept: RawEntry[] = [];
  const issues: CorpusIssue[] = [];
  for (const entry of entries) {
    if (entry.abstract.length > CORPUS_LIMITS.maxAbstractChars) {
      issues.push({
        file,
        line: entry.line,
        reason:
          `abstract too long (${count(entry.abstract.length)} characters; the limit is ${count(CORPUS_LIMITS.maxAbstractChars)}): ` +
          'is it a whole paper, or several abstracts run together?',
      });
    } else if (entry.title && entry.title.length > CORPUS_LIMITS.maxTitleChars) {
      issues.push({ file, line: entry.line, reason: `title too long (${count(entry.title.length)} characters; the limit is ${count(CORPUS_LIMITS.maxTitleChars)})` });
    } else kept.push(entry);
  }
  return { kept, issues };
}

export function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Corpus {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new CorpusError(`Corpus folder ${dir} does not exist. Set CORPUS_DIR or pass --corpus DIR.`);
  }
  if (!stat.isDirectory()) throw new CorpusError(`Corpus path ${dir} is not a folder. Set CORPUS_DIR or pass --corpus DIR.`);
  const show = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  const listed = listCorpusFiles(dir, show);
  if (listed.paths.length === 0 && listed.issues.length === 0) {
    throw new CorpusError(`Corpus folder ${dir} is empty: add paper listings (text, JSON or JSON Lines files) to it.`);
  }

  const issues: CorpusIssue[] = [...listed.issues];
  const notes: CorpusNote[] = [...listed.notes];
  const files: CorpusFileReport[] = [];
  const raw: { entry: RawEntry; file: string }[] = [];
  for (const path of listed.paths) {
    const file = show(path);
    const read = readCorpusFile(path);
    if (read.text === undefined) {
      issues.push({ file, line: 0, reason: read.reason });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1 });
      continue;
    }
    const { text } = read;
    if (read.encodingNote) notes.push({ file, message: read.encodingNote });
    const encoding = read.encodingNote ? 'windows-1252' : undefined;
    if (text.trim() === '') {
      issues.push({ file, line: 0, reason: 'empty file' });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1 });
      continue;
    }
    const format = detectFormat(text, file);
    if (!format) {
      issues.push({
        file,
        line: 0,
        reason:
          'unknown format: expected an author-page listing ("arXiv.org <category>" lines), a daily-papers listing, ' +
          '"Abstract:" lines, or JSON / JSON Lines records with an "abstract"',
      });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1, encoding });
      continue;
    }
    const parsed = PARSERS[format](text, file);
    const { kept, issues: tooLong } = withinLimits(parsed.entries, file);
    const fileIssues = [...parsed.issues, ...tooLong].sort((a, b) => a.line - b.line);
    issues.push(...fileIssues);
    files.push({ file, format, entries: kept.length, issues: fileIssues.length, ...(encoding ? { encoding } : {}) });
    for (const entry of kept) raw.push({ entry, file });
  }

  if (issues.length && !options.skipInvalid) {
    throw new CorpusError(`The corpus in ${dir} has ${issues.length} problem${issues.length > 1 ? 's' : ''} ` + `(fix them, or pass --skip-invalid to index the rest):`, issues);
  }
  const { papers, merges, notes: mergeNotes } = mergeEntries(raw);
  if (papers.length === 0) throw new CorpusError(`No papers could be read from ${dir}.`, issues);
  return { papers, entries: raw.length, duplicatesMerged: merges.length, merges, issues, notes: [...notes, ...mergeNotes], files };
}

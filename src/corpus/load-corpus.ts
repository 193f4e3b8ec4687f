/**
 * Reads every file under the corpus folder, detects each file's format, parses it, and merges the
 * listings of one paper into one `Paper`. Nothing is dropped silently: every block that cannot be
 * read comes back as an issue with its file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CorpusError, type CorpusIssue } from '../errors.js';
import { looksLikeAbstractLines, parseAbstractLines } from './formats/abstract-lines.js';
import { looksLikeAuthorPage, parseAuthorPage } from './formats/author-page.js';
import { looksLikeDailyPapers, parseDailyPapers } from './formats/daily-papers.js';
import { looksLikeJson, parseJson } from './formats/json.js';
import { arxivSearchUrl, cleanText, deriveTitle, isoDate, normalizeTitle, stableId } from './normalize.js';
import type { Paper } from './paper.js';
import type { ParsedFile, RawEntry } from './raw-entry.js';

export type CorpusFormat = 'author-page' | 'daily-papers' | 'abstract-lines' | 'json';

export interface CorpusFileReport {
  file: string;
  format: CorpusFormat | 'unreadable';
  entries: number;
  issues: number;
}

export interface Corpus {
  papers: Paper[];
  /** Entries read, before merging duplicates. */
  entries: number;
  duplicatesMerged: number;
  issues: CorpusIssue[];
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

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? listFiles(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one file as text, or says in one line why it cannot be. */
function readText(path: string): { text?: string; reason?: string } {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (it contains NUL bytes); the corpus takes text or JSON files' };
  try {
    return { text: utf8.decode(bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n') };
  } catch {
    let offset = 0;
    for (; offset < bytes.length; offset++) {
      try {
        utf8.decode(bytes.subarray(0, offset + 1), { stream: true });
      } catch {
        break;
      }
    }
    const line = bytes.subarray(0, offset).toString('latin1').split('\n').length;
    return { reason: `not valid UTF-8 (first bad byte on line ${line}); save the file as UTF-8` };
  }
}

export function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Corpus {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new CorpusError(`Corpus folder ${dir} does not exist. Set CORPUS_DIR or pass --corpus DIR.`);
  }
  if (!stat.isDirectory()) throw new CorpusError(`Corpus path ${dir} is not a folder. Set CORPUS_DIR or pass --corpus DIR.`);
  const paths = listFiles(dir);
  if (paths.length === 0) throw new CorpusError(`Corpus folder ${dir} is empty: add paper listings (text, JSON or JSON Lines files) to it.`);

  const issues: CorpusIssue[] = [];
  const files: CorpusFileReport[] = [];
  const raw: { entry: RawEntry; file: string }[] = [];
  for (const path of paths) {
    const rel = relative(process.cwd(), path);
    const file = rel && !rel.startsWith('..') ? rel : path;
    const { text, reason } = readText(path);
    if (text === undefined) {
      issues.push({ file, line: 1, reason: reason! });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1 });
      continue;
    }
    if (text.trim() === '') {
      issues.push({ file, line: 1, reason: 'empty file' });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1 });
      continue;
    }
    const format = detectFormat(text, file);
    if (!format) {
      issues.push({
        file,
        line: 1,
        reason:
          'unknown format: expected an author-page listing ("arXiv.org <category>" lines), a daily-papers listing, ' +
          '"Abstract:" lines, or JSON / JSON Lines records with an "abstract"',
      });
      files.push({ file, format: 'unreadable', entries: 0, issues: 1 });
      continue;
    }
    const parsed = PARSERS[format](text, file);
    issues.push(...parsed.issues);
    files.push({ file, format, entries: parsed.entries.length, issues: parsed.issues.length });
    for (const entry of parsed.entries) raw.push({ entry, file });
  }

  if (issues.length && !options.skipInvalid) {
    throw new CorpusError(
      `The corpus in ${dir} has ${issues.length} problem${issues.length > 1 ? 's' : ''} ` +
        `(fix them, or pass --skip-invalid to index the rest):`,
      issues,
    );
  }
  const papers = mergeEntries(raw);
  if (papers.length === 0) throw new CorpusError(`No papers could be read from ${dir}.`, issues);
  return { papers, entries: raw.length, duplicatesMerged: raw.length - papers.length, issues, files };
}

/** Turns entries into papers, merging listings of the same paper (same title after normalisation). */
export function mergeEntries(raw: { entry: RawEntry; file: string }[]): Paper[] {
  const byKey = new Map<string, Paper>();
  const order: Paper[] = [];
  for (const { entry, file } of raw) {
    const abstract = cleanText(entry.abstract);
    const title = entry.title ? cleanText(entry.title) : undefined;
    // Untitled papers are keyed by their abstract, so a titled listing of the same text merges with them.
    const abstractKey = `abstract:${normalizeTitle(abstract).slice(0, 300)}`;
    const key = title ? `title:${normalizeTitle(title)}` : abstractKey;
    const existing = byKey.get(key) ?? byKey.get(abstractKey);
    if (existing) {
      mergeInto(existing, entry, title, abstract, file);
      byKey.set(key, existing);
      continue;
    }
    const titleDerived = !title;
    const paperTitle = title ?? deriveTitle(abstract);
    const paper: Paper = {
      id: stableId(key),
      title: paperTitle,
      titleDerived,
      abstract,
      url: entry.url ?? arxivSearchUrl(paperTitle, abstract, titleDerived),
      urlIsDirect: Boolean(entry.url),
      authors: entry.authors,
      authorCount: entry.authorCount ?? entry.authors?.length,
      date: entry.date,
      isoDate: isoDate(entry.date),
      venue: entry.venue,
      tags: entry.tags,
      upvotes: entry.upvotes,
      sources: [{ file, line: entry.line }],
    };
    byKey.set(key, paper);
    byKey.set(abstractKey, paper);
    order.push(paper);
  }
  return order;
}

function mergeInto(paper: Paper, entry: RawEntry, title: string | undefined, abstract: string, file: string): void {
  paper.sources.push({ file, line: entry.line });
  if (paper.titleDerived && title) {
    paper.title = title;
    paper.titleDerived = false;
    paper.id = stableId(`title:${normalizeTitle(title)}`);
    if (!paper.urlIsDirect) paper.url = arxivSearchUrl(title, paper.abstract, false);
  }
  if (abstract.length > paper.abstract.length) paper.abstract = abstract;
  if (entry.url && !paper.urlIsDirect) {
    paper.url = entry.url;
    paper.urlIsDirect = true;
  }
  if (entry.authors?.length) paper.authors = [...new Set([...(paper.authors ?? []), ...entry.authors])];
  paper.authorCount = Math.max(paper.authorCount ?? 0, entry.authorCount ?? 0, paper.authors?.length ?? 0) || undefined;
  paper.date ??= entry.date;
  paper.isoDate ??= isoDate(entry.date);
  paper.venue ??= entry.venue;
  if (entry.tags?.length) paper.tags = [...new Set([...(paper.tags ?? []), ...entry.tags])];
  if (entry.upvotes !== undefined) paper.upvotes = Math.max(paper.upvotes ?? 0, entry.upvotes);
}

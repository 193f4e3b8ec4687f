/**
 * Daily-papers listings: a short header, then for each paper a title and its abstract, optionally
 * followed by lines such as `• 5 authors`, `·`, a date and an upvote count (`Jul 31 2`). The
 * listing (Hugging Face's daily papers) is of arXiv papers.
 */
import type { NumberedLine, ParsedFile, RawEntry } from '../raw-entry.js';
import { numberedLines } from '../raw-entry.js';

const HEADER = /^(new|get trending papers in your email inbox!?|subscribe|daily papers|by\s?ak and the research community)$/i;
const AUTHORS = /^[•·*-]?\s*(\d+)\s+authors?$/i;
const DOT = /^[·•]$/;
const DATE = /^([A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)(?: (\d+))?$/;
/** Titles are short; a line longer than this is read as an abstract. */
const MAX_TITLE = 300;
/** An abstract shorter than this is read as a title (or as missing). */
const MIN_ABSTRACT = 80;

export function looksLikeDailyPapers(text: string): boolean {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.some((l) => /^by\s?ak and the research community$/i.test(l) || AUTHORS.test(l))) return true;
  // Without the markers, accept strict title/abstract alternation.
  const body = lines.filter((l) => !isMeta(l));
  return body.length >= 2 && body.length % 2 === 0 && body.every((l, i) => (i % 2 === 0 ? l.length <= MAX_TITLE : l.length >= MIN_ABSTRACT));
}

function isMeta(line: string): boolean {
  return AUTHORS.test(line) || DOT.test(line) || DATE.test(line);
}

export function parseDailyPapers(text: string, file: string): ParsedFile {
  const lines = numberedLines(text).filter((l) => l.text.trim() !== '');
  const out: ParsedFile = { entries: [], issues: [] };
  let i = 0;
  while (i < lines.length && (HEADER.test(lines[i].text.trim()) || DATE.test(lines[i].text.trim()))) i++;

  let current: RawEntry | undefined;
  // After a reported block, its own meta lines are part of that report, not new problems.
  let inBadBlock = false;
  while (i < lines.length) {
    const line = lines[i].text.trim();
    if (isMeta(line)) {
      if (!current && !inBadBlock) out.issues.push({ file, line: lines[i].n, reason: `"${line}" does not follow a paper` });
      else if (current) applyMeta(current, line);
      i++;
      continue;
    }
    const next: NumberedLine | undefined = lines[i + 1];
    const nextText = next?.text.trim() ?? '';
    if (line.length > MAX_TITLE) {
      out.issues.push({ file, line: lines[i].n, reason: 'an abstract with no title line before it' });
      current = undefined;
      inBadBlock = true;
      i++;
      continue;
    }
    if (!next || isMeta(nextText) || nextText.length < MIN_ABSTRACT) {
      out.issues.push({ file, line: lines[i].n, reason: `title "${line.slice(0, 80)}" has no abstract after it` });
      current = undefined;
      inBadBlock = true;
      i++;
      continue;
    }
    current = { title: line, abstract: nextText, line: lines[i].n, fromArxiv: true };
    inBadBlock = false;
    out.entries.push(current);
    i += 2;
  }
  return out;
}

function applyMeta(entry: RawEntry, line: string): void {
  const authors = AUTHORS.exec(line);
  if (authors) {
    entry.authorCount = Number(authors[1]);
    return;
  }
  const date = DATE.exec(line);
  if (date) {
    entry.date = date[1];
    if (date[2]) entry.upvotes = Number(date[2]);
  }
}

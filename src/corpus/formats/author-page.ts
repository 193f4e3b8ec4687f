/**
 * Author-page listings: header lines naming the page's author, then for each paper a title, a line
 * `arXiv.org <category>` and the abstract, separated by blank lines. The page names its owner, not
 * each paper's authors, so the owner is kept as `listedBy` (one of the authors), never as the list.
 */
import type { ParsedFile, RawEntry } from '../raw-entry.js';
import { numberedLines } from '../raw-entry.js';

export const VENUE_LINE = /^arXiv\.org\s+(\S.*)$/;
const BOILERPLATE = /^(goto|collaborating authors|authors?|papers?)$/i;

export function looksLikeAuthorPage(text: string): boolean {
  return text.split('\n').some((l) => VENUE_LINE.test(l.trim()));
}

/** "Cheng, Reynold" reads as "Reynold Cheng". */
function displayName(name: string): string {
  const m = /^([^,]+),\s*([^,]+)$/.exec(name);
  return m ? `${m[2]} ${m[1]}` : name;
}

export function parseAuthorPage(text: string, file: string): ParsedFile {
  const lines = numberedLines(text).filter((l) => l.text.trim() !== '');
  const entries: RawEntry[] = [];
  const issues: ParsedFile['issues'] = [];
  const venueAt = lines.map((l, i) => (VENUE_LINE.test(l.text.trim()) ? i : -1)).filter((i) => i >= 0);
  const firstTitle = venueAt.length ? venueAt[0] - 1 : lines.length;
  const pageAuthors = lines
    .slice(0, Math.max(0, firstTitle))
    .map((l) => l.text.trim())
    .filter((t) => !BOILERPLATE.test(t))
    .map(displayName);

  for (let k = 0; k < venueAt.length; k++) {
    const v = venueAt[k];
    const previousVenue = k === 0 ? -1 : venueAt[k - 1];
    const venue = VENUE_LINE.exec(lines[v].text.trim())![1];
    // The title is the line just before the venue line, unless that line is the previous block's venue.
    if (v - 1 < 0 || v - 1 === previousVenue) {
      issues.push({ file, line: lines[v].n, reason: 'an "arXiv.org" line with no title before it' });
      continue;
    }
    const titleLine = lines[v - 1];
    const abstractEnd = k + 1 < venueAt.length ? venueAt[k + 1] - 1 : lines.length;
    const abstract = lines
      .slice(v + 1, abstractEnd)
      .map((l) => l.text.trim())
      .join(' ');
    if (!abstract) {
      issues.push({ file, line: titleLine.n, reason: `paper "${titleLine.text.trim()}" has no abstract` });
      continue;
    }
    entries.push({
      title: titleLine.text.trim(),
      abstract,
      venue: `arXiv ${venue}`,
      listedBy: pageAuthors.length ? pageAuthors : undefined,
      fromArxiv: true,
      line: titleLine.n,
    });
  }
  return { entries, issues };
}

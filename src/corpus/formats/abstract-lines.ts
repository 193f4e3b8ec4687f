/** One abstract per line, each starting `Abstract:`; the papers have no titles. */
import type { ParsedFile } from '../raw-entry.js';
import { numberedLines } from '../raw-entry.js';

const PREFIX = /^\s*Abstract:\s*/;

export function looksLikeAbstractLines(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const hits = lines.filter((l) => PREFIX.test(l)).length;
  return hits > 0 && hits >= lines.length / 2;
}

export function parseAbstractLines(text: string, file: string): ParsedFile {
  const out: ParsedFile = { entries: [], issues: [] };
  for (const { n, text: line } of numberedLines(text)) {
    if (line.trim() === '') continue;
    if (!PREFIX.test(line)) {
      out.issues.push({ file, line: n, reason: 'expected a line starting "Abstract:"' });
      continue;
    }
    const abstract = line.replace(PREFIX, '').trim();
    if (!abstract) out.issues.push({ file, line: n, reason: 'empty abstract' });
    else out.entries.push({ abstract, line: n });
  }
  return out;
}

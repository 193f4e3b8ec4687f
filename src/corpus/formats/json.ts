/**
 * JSON Lines, or one JSON array, of `{title?, abstract, url?, arxivId?, authors?, date?, venue?, tags?}`:
 * the way users bring their own corpus. Links must be http(s): anything else (`javascript:`,
 * `data:`, `file:`) is an invalid block, never a link shown to anyone.
 */
import { z } from 'zod';
import { parseArxivId } from '../normalize.js';
import type { ParsedFile } from '../raw-entry.js';

const stringList = z.union([z.array(z.string()), z.string().transform((s) => s.split(/\s*[,;]\s*/).filter(Boolean))]);

const recordSchema = z.object({
  title: z.string().optional(),
  abstract: z.string({ error: 'missing "abstract" (a string)' }).refine((s) => s.trim() !== '', 'empty abstract'),
  url: z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), z.url({ protocol: /^https?$/, error: '"url" must be an http(s) link (https://...)' }).optional()),
  arxivId: z
    .string()
    .refine((s) => parseArxivId(s) !== undefined, '"arxivId" must be an arXiv identifier such as 2404.09610 or hep-th/9901001')
    .optional(),
  authors: stringList.optional(),
  date: z.union([z.string(), z.number().transform(String)]).optional(),
  venue: z.string().optional(),
  tags: stringList.optional(),
});

export function looksLikeJson(text: string, file: string): boolean {
  return /\.(jsonl|ndjson|json)$/i.test(file) || /^\s*[[{]/.test(text);
}

export function parseJson(text: string, file: string): ParsedFile {
  const out: ParsedFile = { entries: [], issues: [] };
  const trimmed = text.trimStart();
  const records: { value: unknown; line: number }[] = [];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      out.issues.push({ file, line: lineOfJsonError(text, error), reason: `invalid JSON: ${(error as Error).message}` });
      return out;
    }
    const starts = topLevelElementLines(text);
    (parsed as unknown[]).forEach((value, i) => records.push({ value, line: starts[i] ?? 1 }));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        records.push({ value: JSON.parse(line), line: i + 1 });
      } catch (error) {
        out.issues.push({ file, line: i + 1, reason: `invalid JSON: ${(error as Error).message}` });
      }
    });
  }
  for (const { value, line } of records) {
    const result = recordSchema.safeParse(value);
    if (!result.success) {
      const reason = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      out.issues.push({ file, line, reason: typeof value === 'object' && value ? reason : 'expected an object with an "abstract"' });
      continue;
    }
    const r = result.data;
    const arxivId = r.arxivId ? parseArxivId(r.arxivId) : undefined;
    out.entries.push({
      title: r.title?.trim() || undefined,
      abstract: r.abstract.trim(),
      url: r.url ?? (arxivId ? `https://arxiv.org/abs/${arxivId}` : undefined),
      // Only an arXiv id, an arXiv link or an arXiv venue says the paper is on arXiv.
      fromArxiv: Boolean(arxivId) || /^https?:\/\/(?:[\w-]+\.)?arxiv\.org\//i.test(r.url ?? '') || /\barxiv\b/i.test(r.venue ?? ''),
      authors: r.authors,
      date: r.date,
      venue: r.venue,
      tags: r.tags,
      line,
    });
  }
  return out;
}

/** The 1-based line on which each element of a top-level JSON array starts. */
function topLevelElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectingElement && !/\s/.test(c) && c !== ']') {
      lines.push(line);
      expectingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}

function lineOfJsonError(text: string, error: unknown): number {
  const m = /position (\d+)/.exec((error as Error).message);
  return m ? text.slice(0, Number(m[1])).split('\n').length : 1;
}

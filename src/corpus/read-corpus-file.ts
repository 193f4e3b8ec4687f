/**
 * Reads one corpus file as text, or says in one line why it cannot be. UTF-8 is expected; a file
 * with a UTF-16 byte-order mark is decoded as UTF-16, and a file that is not valid UTF-8 is read as
 * Windows-1252 (the superset of Latin-1 that Windows editors save), with a note saying so.
 */
import { readFileSync, statSync } from 'node:fs';
import { CORPUS_LIMITS } from './corpus-limits.js';
import { fsReason } from './list-corpus-files.js';

export type ReadCorpusFile =
  { text: string; /** Set when the encoding was assumed rather than known: the note to show. */ encodingNote?: string } | { text?: undefined; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte offset of the first invalid UTF-8 sequence, by bisection: a prefix decodes (streaming) iff it holds no error. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let ok = 0;
  let bad = bytes.length;
  while (bad - ok > 1) {
    const mid = (ok + bad) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      ok = mid;
    } catch {
      bad = mid;
    }
  }
  return ok;
}

/** Windows-1252's characters for bytes 0x80-0x9F (Latin-1 has control codes there); the rest of the bytes are Latin-1. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/** Decodes Windows-1252 by its table: Node's own TextDecoder('windows-1252') drops bytes 0x80-0x9F (Node 20). */
export function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function readCorpusFile(path: string): ReadCorpusFile {
  let bytes: Buffer;
  try {
    const { size } = statSync(path);
    if (size > CORPUS_LIMITS.maxFileBytes) {
      return { reason: `file too large (${megabytes(size)}; the limit is ${CORPUS_LIMITS.maxFileBytes / 1024 / 1024} MB per file): split it into smaller files` };
    }
    bytes = readFileSync(path);
  } catch (error) {
    return { reason: `cannot read this file: ${fsReason(error)}` };
  }
  const lines = (text: string) => text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: lines(new TextDecoder('utf-16le').decode(bytes)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: lines(new TextDecoder('utf-16be').decode(bytes)) };
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (it contains NUL bytes); the corpus takes text or JSON files' };
  try {
    return { text: lines(utf8.decode(bytes)) };
  } catch {
    const line = lineAt(bytes, firstInvalidUtf8(bytes));
    return {
      text: lines(decodeWindows1252(bytes)),
      encodingNote: `not valid UTF-8 (first bad byte on line ${line}): read as Windows-1252 (Latin-1); save it as UTF-8 if accents look wrong`,
    };
  }
}

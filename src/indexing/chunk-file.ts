/**
 * The chunks of an index as one binary file: per chunk its paper's position and its sequence
 * number, then all passage texts as one UTF-8 block with offsets. Loading is a few typed-array
 * views and one string per chunk; ids (`<paperId>#<seq>`) are rebuilt from the paper ids, and the
 * embedder's input text, needed only while building, is not stored.
 */
import type { Chunk } from '../retrieval/types.js';

/** A chunk as the index keeps it: everything but the embedder's input text. */
export type IndexedChunk = Omit<Chunk, 'embedText'>;

const MAGIC = 'LITCHNK\u0001';
const HEADER = 16;

/** Writes chunks; `paperIndex` gives each chunk's paper position in the papers file. */
export function chunkFileBytes(chunks: { paperId: string; seq: number; text: string }[], paperIndex: (paperId: string) => number): Uint8Array {
  const texts = chunks.map((c) => Buffer.from(c.text));
  const textBytes = texts.reduce((s, t) => s + t.length, 0);
  const n = chunks.length;
  const out = Buffer.alloc(HEADER + 4 * (n + n + n + 1) + textBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(textBytes, 12);
  let at = HEADER;
  for (const c of chunks) {
    const p = paperIndex(c.paperId);
    if (p < 0) throw new Error(`chunk of unknown paper ${c.paperId}`);
    out.writeUInt32LE(p, at);
    at += 4;
  }
  for (const c of chunks) {
    out.writeUInt32LE(c.seq, at);
    at += 4;
  }
  let offset = 0;
  for (const t of texts) {
    out.writeUInt32LE(offset, at);
    at += 4;
    offset += t.length;
  }
  out.writeUInt32LE(offset, at);
  at += 4;
  for (const t of texts) {
    t.copy(out, at);
    at += t.length;
  }
  return out;
}

/** Reads a chunk file; throws on anything malformed (the caller names the file). */
export function readChunkFile(data: Buffer, paperIds: string[]): IndexedChunk[] {
  if (data.length < HEADER || data.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a chunk file');
  const n = data.readUInt32LE(8);
  const textBytes = data.readUInt32LE(12);
  const textStart = HEADER + 4 * (3 * n + 1);
  if (data.length !== textStart + textBytes) throw new Error(`${data.length} bytes where its header implies ${textStart + textBytes}`);
  const chunks: IndexedChunk[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const paper = data.readUInt32LE(HEADER + 4 * i);
    const seq = data.readUInt32LE(HEADER + 4 * (n + i));
    const from = data.readUInt32LE(HEADER + 4 * (2 * n + i));
    const to = data.readUInt32LE(HEADER + 4 * (2 * n + i + 1));
    const paperId = paperIds[paper];
    if (paperId === undefined || from > to || to > textBytes) throw new Error(`chunk ${i} points outside the file`);
    chunks[i] = { id: `${paperId}#${seq}`, paperId, seq, text: data.toString('utf8', textStart + from, textStart + to) };
  }
  return chunks;
}

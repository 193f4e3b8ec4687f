/**
 * The index folder's layout. Each build writes a complete generation into its own folder
 * (`.building-*` while it is written, `gen-*` once complete), then points `CURRENT` at it with an
 * atomic rename, so a crash or Ctrl-C mid-build leaves the previous index in place and usable.
 * A committed generation is never changed again: a running process that loaded one keeps a
 * consistent view, and can notice a newer one by reading `CURRENT` (`currentGenerationName`).
 *
 * Every file a generation holds is listed in its manifest with its size and CRC-32; reading a
 * file through `readChecked` verifies both, so a truncated or overwritten file is reported by name
 * (`IndexDamagedError`) instead of being parsed into nonsense.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import * as zlib from 'node:zlib';
import { IndexDamagedError } from '../errors.js';

export const FILES = {
  manifest: 'manifest.json',
  papers: 'papers.jsonl',
  titles: 'titles.json',
  chunks: 'chunks.bin',
  chunkVectors: 'chunk-vectors.f32',
  paperVectors: 'paper-vectors.f32',
  similarVectors: 'similar-vectors.f32',
  hnsw: 'hnsw.bin',
  bm25Chunks: 'bm25-chunks.bin',
  bm25Papers: 'bm25-papers.bin',
  topics: 'topics.json',
  answerTerms: 'answer-terms.json',
} as const;

/** Size and checksum of one index file, as recorded in the manifest. */
export interface FileRecord {
  bytes: number;
  /** CRC-32 of the whole file, as 8 hex digits. */
  crc32: string;
}

/** The file that names the generation in use. */
export const POINTER = 'CURRENT';
const GENERATION_NAME = /^gen-[A-Za-z0-9_-]+$/;
const BUILDING_PREFIX = '.building-';

const README = `# index/

Built by \`npm run index\`; an artifact, not source: everything here but this file is ignored by git.
\`CURRENT\` names the folder that holds the index in use; each build writes a new folder and swaps
\`CURRENT\` only when it is complete. \`.build.lock\` exists while a build runs.
`;

// zlib.crc32 came with Node 20.15; the table version keeps older 20.x working, only slower.
let table: Uint32Array | undefined;
function crc32Fallback(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
const crc32Native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * CRC-32 of some bytes. A checksum, not a signature: it catches truncation, garbage and bit rot
 * at a few GB/s; a cryptographic hash would buy nothing here, since whoever can rewrite an index
 * file can rewrite the manifest beside it.
 */
export function crc32(data: Uint8Array, value = 0): number {
  return crc32Native ? crc32Native(data, value) : crc32Fallback(data, value);
}

export function crc32Hex(data: Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}

/** CRC-32 of a file, read in 8 MiB pieces (for files handed to a native reader by path). */
export function fileCrc32(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(8 << 20);
    let value = 0;
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) value = crc32(buffer.subarray(0, n), value);
    return value.toString(16).padStart(8, '0');
  } finally {
    closeSync(fd);
  }
}

/** The record for bytes about to be written. */
export function recordOf(data: Uint8Array): FileRecord {
  return { bytes: data.byteLength, crc32: crc32Hex(data) };
}

/** Writes a file and returns its record for the manifest. */
export function writeRecorded(file: string, data: string | Uint8Array): FileRecord {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  writeFileSync(file, bytes);
  return recordOf(bytes);
}

function damaged(file: string, reason: string): IndexDamagedError {
  return new IndexDamagedError(file, `The index file ${file} is damaged (${reason}).`);
}

/** Size check only: cheap enough for every file at every load. */
export function checkSize(dir: string, name: string, record: FileRecord | undefined): string {
  const file = join(dir, name);
  if (!record) throw damaged(file, 'the manifest does not list it');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw damaged(file, 'it is missing; a newer build may have replaced this generation while it was read, so run the command again if the index was just rebuilt');
  }
  if (size !== record.bytes) throw damaged(file, `${size} bytes, the manifest says ${record.bytes}: it was cut short or overwritten`);
  return file;
}

/** Reads an index file and verifies its size and CRC-32 against the manifest's record. */
export function readChecked(dir: string, name: string, record: FileRecord | undefined): Buffer {
  const file = checkSize(dir, name, record);
  const data = readFileSync(file);
  if (data.byteLength !== record!.bytes) throw damaged(file, `${data.byteLength} bytes, the manifest says ${record!.bytes}`);
  if (crc32Hex(data) !== record!.crc32) throw damaged(file, 'its checksum does not match the manifest: the contents were changed after the build');
  return data;
}

/** Verifies a file that a native library reads by path (the HNSW graph): size, then checksum. */
export function verifyFile(dir: string, name: string, record: FileRecord | undefined): string {
  const file = checkSize(dir, name, record);
  if (fileCrc32(file) !== record!.crc32) throw damaged(file, 'its checksum does not match the manifest: the contents were changed after the build');
  return file;
}

/** Parses JSON read from an index file; a parse error names the file. */
export function parseJson<T>(file: string, data: Buffer | string): T {
  try {
    return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as T;
  } catch (error) {
    throw damaged(file, `not valid JSON: ${(error as Error).message}`);
  }
}

/** What `CURRENT` holds, unchecked, or undefined when there is none (yet): what a watcher compares between reads. */
export function readPointer(indexDir: string): string | undefined {
  try {
    return readFileSync(join(indexDir, POINTER), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The name `CURRENT` holds, or undefined when none has been built. Refuses a name that leads outside the index folder. */
export function currentGenerationName(indexDir: string): string | undefined {
  const pointer = join(indexDir, POINTER);
  const name = readPointer(indexDir);
  if (!name) return undefined;
  if (!GENERATION_NAME.test(name)) {
    throw new IndexDamagedError(pointer, `${pointer} names "${name.slice(0, 200)}", not a generation folder inside ${indexDir}; refusing to read an index from there.`);
  }
  return name;
}

/** The folder of the index in use, or undefined when none has been built. */
export function currentGeneration(indexDir: string): string | undefined {
  const name = currentGenerationName(indexDir);
  if (!name) return undefined;
  const dir = join(indexDir, name);
  if (!existsSync(join(dir, FILES.manifest))) return undefined;
  // A generation that is a symlink leading elsewhere is not ours to read.
  const real = realpathSync(dir);
  const inside = relative(realpathSync(indexDir), real);
  if (!inside || inside.startsWith('..') || isAbsolute(inside) || inside.includes(sep)) {
    throw new IndexDamagedError(dir, `${dir} leads outside ${indexDir} (to ${real}); refusing to read an index from there.`);
  }
  return dir;
}

/** A short tag for this machine, part of build folder names so that cleanup can tell whose they are. */
export function hostTag(host = hostname()): string {
  return host.replace(/[^A-Za-z0-9]/g, '').slice(0, 24) || 'host';
}

/** True when a process with that id runs on this machine (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whose a build folder is: `.building-<time>-<pid>-<host>` (older builds wrote no host). */
function buildingOwner(name: string): { pid: number; host?: string } | undefined {
  const m = /^\.building-[a-z0-9]+-(\d+)(?:-([A-Za-z0-9]+))?$/.exec(name);
  return m ? { pid: Number(m[1]), host: m[2] } : undefined;
}

/**
 * A fresh folder for a build in progress. Call it holding the build lock. Leftovers of earlier
 * builds are removed only when their builder is this process or is dead (on this machine), or
 * when they are older than `staleMs`: a folder of a live builder elsewhere is left alone.
 */
export function startGeneration(indexDir: string, options: { staleMs?: number } = {}): { dir: string; name: string } {
  mkdirSync(indexDir, { recursive: true });
  const me = hostTag();
  for (const entry of readdirSync(indexDir)) {
    if (!entry.startsWith(BUILDING_PREFIX)) continue;
    const owner = buildingOwner(entry);
    const path = join(indexDir, entry);
    const sameHost = !owner?.host || owner.host === me;
    const dead = !owner || (sameHost && (owner.pid === process.pid || !processAlive(owner.pid)));
    const old = options.staleMs !== undefined && Date.now() - statSync(path).mtimeMs > options.staleMs;
    if (dead || old) rmSync(path, { recursive: true, force: true });
  }
  const name = `${BUILDING_PREFIX}${Date.now().toString(36)}-${process.pid}-${me}`;
  const dir = join(indexDir, name);
  mkdirSync(dir);
  return { dir, name };
}

/** Makes a finished build the current index and removes generations older than the one it replaces. */
export function commitGeneration(indexDir: string, building: { dir: string; name: string }): string {
  const name = `gen-${building.name.slice(BUILDING_PREFIX.length)}`;
  const finalDir = join(indexDir, name);
  renameSync(building.dir, finalDir);
  let previous: string | undefined;
  try {
    previous = currentGenerationName(indexDir);
  } catch {
    // A CURRENT that points somewhere strange is simply replaced.
  }
  const tmpPointer = join(indexDir, `.${POINTER}.${process.pid}`);
  writeFileSync(tmpPointer, `${name}\n`);
  renameSync(tmpPointer, join(indexDir, POINTER));
  // The generation just replaced stays until the next build: a command that began reading it a moment ago can finish.
  const keep = new Set([name, previous]);
  for (const entry of readdirSync(indexDir)) if (entry.startsWith('gen-') && !keep.has(entry)) rmSync(join(indexDir, entry), { recursive: true, force: true });
  if (!existsSync(join(indexDir, 'README.md'))) writeFileSync(join(indexDir, 'README.md'), README);
  return finalDir;
}

/** Vectors as one float32 buffer, row after row. */
export function vectorBytes(vectors: Float32Array[], dimensions: number): Uint8Array {
  const out = new Float32Array(vectors.length * dimensions);
  vectors.forEach((v, i) => out.set(v, i * dimensions));
  return new Uint8Array(out.buffer);
}

/** Rows of a float32 file as views into one buffer (no copy per row). */
export function vectorRows(data: Buffer, dimensions: number): Float32Array[] {
  // Float32Array needs 4-byte alignment; a Buffer from the pool may not have it.
  const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data);
  const all = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  const out: Float32Array[] = [];
  for (let i = 0; i < all.length; i += dimensions) out.push(all.subarray(i, i + dimensions));
  return out;
}

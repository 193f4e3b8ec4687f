/**
 * The index folder's layout. Each build writes a complete generation into its own folder, then
 * points `CURRENT` at it with an atomic rename, so a crash or Ctrl-C mid-build leaves the previous
 * index in place and usable.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FILES = {
  manifest: 'manifest.json',
  papers: 'papers.json',
  chunks: 'chunks.json',
  chunkVectors: 'chunk-vectors.f32',
  paperVectors: 'paper-vectors.f32',
  hnsw: 'hnsw.bin',
  bm25Chunks: 'bm25-chunks.json',
  bm25Papers: 'bm25-papers.json',
  topics: 'topics.json',
} as const;

const POINTER = 'CURRENT';
const README = `# index/

Built by \`npm run index\`; an artifact, not source: everything here but this file is ignored by git.
\`CURRENT\` names the folder that holds the index in use; each build writes a new folder and swaps
\`CURRENT\` only when it is complete.
`;

/** The folder of the index in use, or undefined when none has been built. */
export function currentGeneration(indexDir: string): string | undefined {
  const pointer = join(indexDir, POINTER);
  if (!existsSync(pointer)) return undefined;
  const name = readFileSync(pointer, 'utf8').trim();
  const dir = join(indexDir, name);
  return name && existsSync(join(dir, FILES.manifest)) ? dir : undefined;
}

/** A fresh folder for a build in progress; leftovers of interrupted builds are removed first. */
export function startGeneration(indexDir: string): { dir: string; name: string } {
  mkdirSync(indexDir, { recursive: true });
  for (const entry of readdirSync(indexDir)) if (entry.startsWith('.building-')) rmSync(join(indexDir, entry), { recursive: true, force: true });
  const name = `.building-${Date.now().toString(36)}-${process.pid}`;
  const dir = join(indexDir, name);
  mkdirSync(dir);
  return { dir, name };
}

/** Makes a finished build the current index and removes older generations. */
export function commitGeneration(indexDir: string, building: { dir: string; name: string }): string {
  const name = building.name.replace(/^\.building-/, 'gen-');
  const finalDir = join(indexDir, name);
  renameSync(building.dir, finalDir);
  const tmpPointer = join(indexDir, `.${POINTER}.${process.pid}`);
  writeFileSync(tmpPointer, `${name}\n`);
  renameSync(tmpPointer, join(indexDir, POINTER));
  for (const entry of readdirSync(indexDir)) {
    if (entry.startsWith('gen-') && entry !== name) rmSync(join(indexDir, entry), { recursive: true, force: true });
  }
  if (!existsSync(join(indexDir, 'README.md'))) writeFileSync(join(indexDir, 'README.md'), README);
  return finalDir;
}

export function writeVectors(file: string, vectors: Float32Array[], dimensions: number): void {
  const out = new Float32Array(vectors.length * dimensions);
  vectors.forEach((v, i) => out.set(v, i * dimensions));
  writeFileSync(file, Buffer.from(out.buffer));
}

export function readVectors(file: string, dimensions: number): Float32Array[] {
  const buffer = readFileSync(file);
  const all = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  const out: Float32Array[] = [];
  for (let i = 0; i < all.length; i += dimensions) out.push(all.subarray(i, i + dimensions));
  return out;
}

/**
 * Opens the current index generation, checks it against the configured embedder, and reads each
 * part the first time something asks for it: `paper` reads the titles and one line of the papers
 * file, `search` the vectors, the graph and the BM25 files, and nothing reads the corpus. Every
 * file is checked against the manifest as it is read (size, CRC-32, and that it parses), so a
 * damaged file is reported by name with the fix. `loadAll()` reads everything at once (the bot
 * does, before it says it is ready, so no question waits for a file and no damage shows late).
 */
import type { Topic } from '../browse/types.js';
import type { Paper } from '../corpus/paper.js';
import { IndexDamagedError, IndexMismatchError, IndexNotBuiltError } from '../errors.js';
import { Bm25Store } from './bm25-store.js';
import { readChunkFile, type IndexedChunk } from './chunk-file.js';
import type { Embedder } from './embeddings/embedder.js';
import { HnswStore } from './hnsw-store.js';
import { checkSize, currentGeneration, FILES, parseJson, readChecked, vectorRows, verifyFile } from './index-files.js';
import { chunkingFor, manifestDifferences, type Manifest } from './manifest.js';
import { PaperTable } from './paper-table.js';
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';

/** A paper's title and the other names it goes by, for title lookup without reading abstracts. */
export interface TitleRecord {
  paperId: string;
  title: string;
  aliases?: string[];
}

/** What the titles file holds: paper ids in index order, their titles, and aliases where any. */
interface TitlesFile {
  ids: string[];
  titles: string[];
  aliases?: Record<string, string[]>;
}

export interface LitIndex {
  readonly dir: string;
  /** The generation's folder name: a running process compares it with `currentGenerationName()` to notice a newer build. */
  readonly generation: string;
  readonly manifest: Manifest;
  /** Paper ids in index order (the order of papers, paper vectors and titles). */
  readonly paperIds: string[];
  readonly titles: TitleRecord[];
  readonly papers: Paper[];
  /** Parses one paper on first `get`. */
  readonly paperById: ReadonlyMap<string, Paper>;
  readonly chunks: IndexedChunk[];
  readonly chunkById: Map<string, number>;
  readonly chunkVectors: Float32Array[];
  /** Unit-length paper-level vector per paper id (normalised mean of its chunks' vectors). */
  readonly paperVectors: Map<string, Float32Array>;
  /** Vectors for similar papers, when the build computed them (else the browser computes them on first use). */
  readonly similarVectors: Map<string, Float32Array> | undefined;
  readonly topics: Topic[];
  readonly hnsw: HnswStore;
  /** BM25 over chunks: which passages match. */
  readonly bm25Chunks: Bm25Store;
  /** BM25 over whole papers: which papers match. */
  readonly bm25Papers: Bm25Store;
  /** Chunk positions of each paper. */
  readonly chunksOfPaper: Map<string, number[]>;
  /** The answerer's statistics of the whole collection as stored by the build (see `storable.ts`), if it stored them. */
  readonly answerTerms: unknown;
  /** Reads and checks every part now. */
  loadAll(): void;
}

/** What the index is checked against: the model id always; dimensions and chunking once the embedder knows them (after `init()`). */
export type IndexExpectation = Pick<Embedder, 'id'> & Partial<Pick<Embedder, 'maxTokens' | 'dimensions'>>;

/** Reads the manifest of the current index, or undefined when there is none; a damaged one throws `IndexDamagedError`. */
export function readManifest(indexDir: string): Manifest | undefined {
  const dir = currentGeneration(indexDir);
  return dir ? manifestIn(dir) : undefined;
}

/** The manifest of the generation in `dir` (read once with that folder, so a build switching `CURRENT` meanwhile cannot mix two generations). */
function manifestIn(dir: string): Manifest {
  const file = join(dir, FILES.manifest);
  const manifest = parseJson<Manifest>(file, readFileSync(file));
  if (!manifest || typeof manifest !== 'object' || typeof manifest.formatVersion !== 'number' || !manifest.counts || !manifest.embeddings) {
    throw new IndexDamagedError(file, `The index file ${file} is damaged (it is not a manifest).`);
  }
  return manifest;
}

/** Differences between an index and what the embedder needs (empty when they fit). */
export function indexDifferences(manifest: Manifest, expected: IndexExpectation): string[] {
  return manifestDifferences(manifest, {
    embeddingsId: expected.id,
    dimensions: expected.dimensions || undefined,
    chunking: expected.maxTokens ? chunkingFor(expected.maxTokens) : undefined,
  });
}

/** Throws `IndexNotBuiltError` / `IndexMismatchError` / `IndexDamagedError` naming the fix. */
export function checkIndex(indexDir: string, expected: IndexExpectation): Manifest {
  return checkedGeneration(indexDir, expected).manifest;
}

/** The current generation's folder and its checked manifest, `CURRENT` read once. */
function checkedGeneration(indexDir: string, expected: IndexExpectation): { dir: string; manifest: Manifest } {
  const dir = currentGeneration(indexDir);
  if (!dir) throw new IndexNotBuiltError(indexDir);
  const manifest = manifestIn(dir);
  const differences = indexDifferences(manifest, expected);
  if (differences.length) throw new IndexMismatchError(indexDir, differences);
  if (!manifest.files || typeof manifest.files !== 'object') {
    const file = join(dir, FILES.manifest);
    throw new IndexDamagedError(file, `The index file ${file} is damaged (it lists no files).`);
  }
  return { dir, manifest };
}

/** Opens the current index; parts are read when first used. */
export async function loadIndex(indexDir: string, expected: IndexExpectation): Promise<LitIndex> {
  return openIndex(indexDir, expected);
}

/** `loadIndex` without the promise. Every file's size is checked now (a stat each): a cut file is reported whatever the command. */
export function openIndex(indexDir: string, expected: IndexExpectation): LitIndex {
  const { dir, manifest } = checkedGeneration(indexDir, expected);
  for (const [name, record] of Object.entries(manifest.files)) checkSize(dir, name, record);
  return new StoredIndex(dir, manifest);
}

/** What `npm run index` finds in `INDEX_DIR` before deciding whether to build. */
export interface IndexState {
  /** The current generation's folder and manifest, when they can be read. */
  dir?: string;
  manifest?: Manifest;
  /** What is wrong with it, without the fix (the build is the fix). */
  damage?: string;
}

/**
 * Reads `CURRENT` and the manifest once and checks every file (sizes and checksums) without
 * keeping anything: `npm run index` uses it to decide whether the index needs a rebuild. No index
 * gives an empty state.
 */
export function inspectIndex(indexDir: string): IndexState {
  let dir: string | undefined;
  let manifest: Manifest | undefined;
  try {
    dir = currentGeneration(indexDir);
    if (!dir) return {};
    manifest = manifestIn(dir);
    for (const [name, record] of Object.entries(manifest.files ?? {})) verifyFile(dir, name, record);
    return { dir, manifest };
  } catch (error) {
    if (error instanceof IndexDamagedError) return { dir, manifest, damage: error.problem };
    throw error;
  }
}

class StoredIndex implements LitIndex {
  readonly generation: string;
  private readonly parts = new Map<string, unknown>();

  constructor(
    readonly dir: string,
    readonly manifest: Manifest,
  ) {
    this.generation = basename(dir);
  }

  /** A part, read on first use; anything that goes wrong reading it names its file. */
  private part<T>(key: string, file: string, read: () => T): T {
    if (this.parts.has(key)) return this.parts.get(key) as T;
    let value: T;
    try {
      value = read();
    } catch (error) {
      if (error instanceof IndexDamagedError) throw error;
      const path = join(this.dir, file);
      throw new IndexDamagedError(path, `The index file ${path} is damaged (${(error as Error).message}).`);
    }
    this.parts.set(key, value);
    return value;
  }

  private bytes(name: string): Buffer {
    return readChecked(this.dir, name, this.manifest.files[name]);
  }

  private has(name: string): boolean {
    return name in this.manifest.files;
  }

  private get titlesFile(): TitlesFile {
    return this.part('titles', FILES.titles, () => {
      const t = parseJson<TitlesFile>(join(this.dir, FILES.titles), this.bytes(FILES.titles));
      if (!Array.isArray(t.ids) || !Array.isArray(t.titles) || t.ids.length !== t.titles.length || t.ids.length !== this.manifest.counts.papers) {
        throw new Error(`it lists ${t.ids?.length} papers, the manifest ${this.manifest.counts.papers}`);
      }
      return t;
    });
  }

  get paperIds(): string[] {
    return this.titlesFile.ids;
  }

  get titles(): TitleRecord[] {
    return this.part('titleRecords', FILES.titles, () => {
      const { ids, titles, aliases = {} } = this.titlesFile;
      return ids.map((paperId, i) => (aliases[i] ? { paperId, title: titles[i], aliases: aliases[i] } : { paperId, title: titles[i] }));
    });
  }

  private get table(): PaperTable {
    return this.part('table', FILES.papers, () => {
      const file = join(this.dir, FILES.papers);
      return new PaperTable(this.bytes(FILES.papers), this.paperIds, (line, reason) => new IndexDamagedError(file, `The index file ${file} is damaged (line ${line}: ${reason}).`));
    });
  }

  get papers(): Paper[] {
    return this.table.all();
  }

  get paperById(): ReadonlyMap<string, Paper> {
    return this.table;
  }

  get chunks(): IndexedChunk[] {
    return this.part('chunks', FILES.chunks, () => {
      const chunks = readChunkFile(this.bytes(FILES.chunks), this.paperIds);
      if (chunks.length !== this.manifest.counts.chunks) throw new Error(`${chunks.length} chunks, the manifest says ${this.manifest.counts.chunks}`);
      return chunks;
    });
  }

  get chunkById(): Map<string, number> {
    return this.part('chunkById', FILES.chunks, () => new Map(this.chunks.map((c, i) => [c.id, i])));
  }

  get chunksOfPaper(): Map<string, number[]> {
    return this.part('chunksOfPaper', FILES.chunks, () => {
      const out = new Map<string, number[]>();
      this.chunks.forEach((c, i) => {
        const list = out.get(c.paperId);
        if (list) list.push(i);
        else out.set(c.paperId, [i]);
      });
      return out;
    });
  }

  private vectors(name: string, rows: number, dimensions: number): Float32Array[] {
    const data = this.bytes(name);
    if (data.byteLength !== rows * dimensions * 4) throw new Error(`${data.byteLength} bytes, expected ${rows} vectors of ${dimensions} dimensions`);
    return vectorRows(data, dimensions);
  }

  get chunkVectors(): Float32Array[] {
    return this.part('chunkVectors', FILES.chunkVectors, () => this.vectors(FILES.chunkVectors, this.manifest.counts.chunks, this.manifest.embeddings.dimensions));
  }

  get paperVectors(): Map<string, Float32Array> {
    return this.part('paperVectors', FILES.paperVectors, () => {
      const rows = this.vectors(FILES.paperVectors, this.manifest.counts.papers, this.manifest.embeddings.dimensions);
      return new Map(this.paperIds.map((id, i) => [id, rows[i]]));
    });
  }

  get similarVectors(): Map<string, Float32Array> | undefined {
    if (!this.has(FILES.similarVectors)) return undefined;
    return this.part('similarVectors', FILES.similarVectors, () => {
      const n = this.manifest.counts.papers;
      const data = this.bytes(FILES.similarVectors);
      const dimensions = n ? data.byteLength / 4 / n : 0;
      if (!Number.isInteger(dimensions)) throw new Error(`${data.byteLength} bytes do not divide into ${n} vectors`);
      const rows = vectorRows(data, dimensions);
      return new Map(this.paperIds.map((id, i) => [id, rows[i]]));
    });
  }

  get topics(): Topic[] {
    if (!this.has(FILES.topics)) return [];
    return this.part('topics', FILES.topics, () => {
      const topics = parseJson<Topic[]>(join(this.dir, FILES.topics), this.bytes(FILES.topics));
      if (!Array.isArray(topics)) throw new Error('not a list of topics');
      return topics;
    });
  }

  get hnsw(): HnswStore {
    return this.part('hnsw', FILES.hnsw, () => {
      // hnswlib reads the file itself, and a cut file can crash it: check size and checksum first.
      const file = verifyFile(this.dir, FILES.hnsw, this.manifest.files[FILES.hnsw]);
      const store = HnswStore.read(file, this.manifest.embeddings.dimensions, this.manifest.hnsw.efSearch);
      if (store.count !== this.manifest.counts.chunks) throw new Error(`${store.count} vectors, the manifest says ${this.manifest.counts.chunks} chunks`);
      return store;
    });
  }

  private bm25(name: string, count: number): Bm25Store {
    return this.part(name, name, () => {
      const store = Bm25Store.fromBytes(this.bytes(name));
      if (store.size !== count) throw new Error(`${store.size} documents, the manifest says ${count}`);
      return store;
    });
  }

  get bm25Chunks(): Bm25Store {
    return this.bm25(FILES.bm25Chunks, this.manifest.counts.chunks);
  }

  get bm25Papers(): Bm25Store {
    return this.bm25(FILES.bm25Papers, this.manifest.counts.papers);
  }

  get answerTerms(): unknown {
    if (!this.has(FILES.answerTerms)) return undefined;
    return this.part('answerTerms', FILES.answerTerms, () => parseJson<unknown>(join(this.dir, FILES.answerTerms), this.bytes(FILES.answerTerms)));
  }

  loadAll(): void {
    // Papers are parsed one by one as they are shown: their file is read and checked here.
    void [
      this.titles,
      this.paperById,
      this.chunks,
      this.chunkById,
      this.chunksOfPaper,
      this.chunkVectors,
      this.paperVectors,
      this.similarVectors,
      this.topics,
      this.hnsw,
      this.bm25Chunks,
      this.bm25Papers,
      this.answerTerms,
    ];
  }
}

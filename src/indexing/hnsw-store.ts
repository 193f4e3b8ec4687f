/**
 * The dense index: an HNSW graph (hnswlib-node) over unit-length chunk vectors with inner-product
 * distance, so `1 - distance` is the cosine similarity. It runs on the addon compiled for this CPU
 * when there is one (`hnswlib-build.ts`); both read and write the same graph files.
 */
import type { HierarchicalNSW } from 'hnswlib-node';
import { hnswlib } from './hnswlib-build.js';

export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
}

export const DEFAULT_HNSW: HnswParams = { m: 16, efConstruction: 200, efSearch: 128 };

export class HnswStore {
  private constructor(
    private readonly index: HierarchicalNSW,
    readonly dimensions: number,
    private size: number,
  ) {}

  /** Live vectors in the graph (added, less removed). */
  get count(): number {
    return this.size;
  }

  static async build(vectors: Float32Array[], dimensions: number, params: HnswParams = DEFAULT_HNSW): Promise<HnswStore> {
    const { HierarchicalNSW } = hnswlib().lib;
    const index = new HierarchicalNSW('ip', dimensions);
    index.initIndex({ maxElements: Math.max(1, vectors.length), m: params.m, efConstruction: params.efConstruction, randomSeed: 42 });
    vectors.forEach((v, label) => {
      if (v.length !== dimensions) throw new Error(`Vector ${label} has ${v.length} dimensions, expected ${dimensions}`);
      index.addPoint(Array.from(v), label);
    });
    index.setEf(params.efSearch);
    return new HnswStore(index, dimensions, vectors.length);
  }

  static async load(file: string, dimensions: number, efSearch = DEFAULT_HNSW.efSearch): Promise<HnswStore> {
    return HnswStore.read(file, dimensions, efSearch);
  }

  /** Reads a saved graph. The caller checks the file first: hnswlib trusts it. */
  static read(file: string, dimensions: number, efSearch = DEFAULT_HNSW.efSearch): HnswStore {
    const { HierarchicalNSW } = hnswlib().lib;
    const index = new HierarchicalNSW('ip', dimensions);
    index.readIndexSync(file);
    index.setEf(efSearch);
    return new HnswStore(index, dimensions, index.getCurrentCount());
  }

  save(file: string): void {
    this.index.writeIndexSync(file);
  }

  /** Nearest labels with cosine similarity, best first; `k` is clamped to the index size. */
  search(query: Float32Array, k: number, filter?: (label: number) => boolean): { label: number; score: number }[] {
    if (query.length !== this.dimensions) throw new Error(`Query has ${query.length} dimensions, the index ${this.dimensions}`);
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    const { distances, neighbors } = this.index.searchKnn(Array.from(query), n, filter);
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i] }));
  }

  /** Adds vectors under the labels that follow `firstLabel`, growing the graph as needed (the LangChain store adds documents this way). */
  add(vectors: ArrayLike<number>[], firstLabel: number): void {
    const needed = firstLabel + vectors.length;
    if (needed > this.index.getMaxElements()) this.index.resizeIndex(Math.max(needed, Math.ceil(this.index.getMaxElements() * 1.5)));
    vectors.forEach((v, i) => {
      if (v.length !== this.dimensions) throw new Error(`Vector ${firstLabel + i} has ${v.length} dimensions, expected ${this.dimensions}`);
      this.index.addPoint(Array.from(v), firstLabel + i);
    });
    this.size += vectors.length;
  }

  /** Hides a label from every later search (hnswlib marks it deleted; the slot stays). */
  remove(label: number): void {
    this.index.markDelete(label);
    this.size--;
  }
}

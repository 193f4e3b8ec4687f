/**
 * The embedded index as a LangChain `VectorStore`: Litbot's own HNSW graph (`HnswStore`:
 * hnswlib-node on the addon compiled for this CPU, with its M, efConstruction and efSearch) and the
 * chunk documents beside it. Scores are cosine similarities (higher is better), not distances, and
 * filters by date, source file or paper run inside the graph search as a predicate over labels
 * (the papers passing a filter are found once per filter, not per visited node).
 *
 * Used rather than `@langchain/community`'s `HNSWLib`, which has no ef control (recall 0.90 after
 * `load()`), returns distances, keeps a JSON docstore, and cannot be installed here (docs/pgvector.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { DocumentInterface } from '@langchain/core/documents';
import { VectorStore } from '@langchain/core/vectorstores';
import { DEFAULT_HNSW, HnswStore, type HnswParams } from '../hnsw-store.js';
import { isFiltering, passesFilter, type ChunkDocument, type ChunkMetadata, type StoreFilter } from './chunk-documents.js';

const GRAPH = 'hnsw.bin';
const DOCS = 'documents.json';

interface SavedDocs {
  dimensions: number;
  params: HnswParams;
  /** By label; null where a document was deleted. */
  documents: (ChunkDocument | null)[];
}

/** Documents of an index built elsewhere (the loaded index's chunks), made on demand: a search materialises only its hits, a filter only the papers it visits. */
export interface BaseDocuments {
  count: number;
  documentAt(label: number): ChunkDocument;
  labelOf(id: string): number | undefined;
  /** The chunk's paper without making its Document (filtered searches ask it of every node they visit). */
  paperIdAt?(label: number): string;
}

export class HnswVectorStore extends VectorStore {
  declare FilterType: StoreFilter;
  /** Documents added through this store, by label (from `base.count` on); null once deleted. */
  private readonly documents: (ChunkDocument | null)[];
  private readonly labelOf = new Map<string, number>();
  private readonly deletedBase = new Set<number>();

  private constructor(
    embeddings: EmbeddingsInterface,
    private readonly graph: HnswStore,
    readonly params: HnswParams,
    documents: (ChunkDocument | null)[],
    private readonly base?: BaseDocuments,
  ) {
    super(embeddings, {});
    this.documents = documents;
    const offset = base?.count ?? 0;
    documents.forEach((d, i) => d && this.labelOf.set(d.id ?? d.metadata.chunkId, offset + i));
  }

  _vectorstoreType(): string {
    return 'litbot-hnswlib';
  }

  get dimensions(): number {
    return this.graph.dimensions;
  }

  /** Live documents. */
  get size(): number {
    return (this.base ? this.base.count - this.deletedBase.size : 0) + this.labelOf.size;
  }

  private documentAt(label: number): ChunkDocument | null {
    const base = this.base;
    if (base && label < base.count) return this.deletedBase.has(label) ? null : base.documentAt(label);
    return this.documents[label - (base?.count ?? 0)] ?? null;
  }

  private paperIdAt(label: number): string | undefined {
    const base = this.base;
    if (base && label < base.count) return this.deletedBase.has(label) ? undefined : (base.paperIdAt?.(label) ?? base.documentAt(label).metadata.paperId);
    return this.documents[label - (base?.count ?? 0)]?.metadata.paperId;
  }

  private labelFor(id: string): number | undefined {
    const label = this.labelOf.get(id);
    if (label !== undefined) return label;
    const baseLabel = this.base?.labelOf(id);
    return baseLabel !== undefined && !this.deletedBase.has(baseLabel) ? baseLabel : undefined;
  }

  /** An empty store of `dimensions`-dimensional vectors. */
  static async empty(embeddings: EmbeddingsInterface, dimensions: number, params: HnswParams = DEFAULT_HNSW): Promise<HnswVectorStore> {
    return new HnswVectorStore(embeddings, await HnswStore.build([], dimensions, params), params, []);
  }

  /** A store over documents and their vectors, built in one pass. */
  static async fromChunkVectors(
    embeddings: EmbeddingsInterface,
    vectors: Float32Array[],
    documents: ChunkDocument[],
    dimensions: number,
    params: HnswParams = DEFAULT_HNSW,
  ): Promise<HnswVectorStore> {
    return new HnswVectorStore(embeddings, await HnswStore.build(vectors, dimensions, params), params, documents.slice());
  }

  /** The store over an already built graph (the loaded index's), whose labels are the chunks' positions. */
  static over(embeddings: EmbeddingsInterface, graph: HnswStore, base: BaseDocuments, params: HnswParams = DEFAULT_HNSW): HnswVectorStore {
    return new HnswVectorStore(embeddings, graph, params, [], base);
  }

  async addVectors(vectors: number[][] | Float32Array[], documents: DocumentInterface[]): Promise<string[]> {
    if (vectors.length !== documents.length) throw new Error(`addVectors: ${vectors.length} vectors for ${documents.length} documents`);
    const first = (this.base?.count ?? 0) + this.documents.length;
    this.graph.add(vectors, first);
    return documents.map((doc, i) => {
      const id = doc.id ?? (doc.metadata as ChunkMetadata).chunkId;
      this.documents.push({ ...doc, id } as ChunkDocument);
      this.labelOf.set(id, first + i);
      return id;
    });
  }

  async addDocuments(documents: DocumentInterface[]): Promise<string[]> {
    return this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents);
  }

  /** A label predicate for the graph search; undefined when nothing is filtered. Each paper is checked once. */
  private labelFilter(filter: StoreFilter | undefined): ((label: number) => boolean) | undefined {
    if (!isFiltering(filter)) return undefined;
    const verdicts = new Map<string, boolean>();
    return (label) => {
      const paperId = this.paperIdAt(label);
      if (paperId === undefined) return false;
      let ok = verdicts.get(paperId);
      if (ok === undefined) verdicts.set(paperId, (ok = passesFilter(this.documentAt(label)!.metadata, filter)));
      return ok;
    };
  }

  /** Nearest chunks with cosine similarity, best first. */
  async similaritySearchVectorWithScore(query: number[] | Float32Array, k: number, filter?: StoreFilter): Promise<[ChunkDocument, number][]> {
    const vector = query instanceof Float32Array ? query : Float32Array.from(query);
    const out: [ChunkDocument, number][] = [];
    for (const { label, score } of this.graph.search(vector, k, this.labelFilter(filter))) {
      const doc = this.documentAt(label);
      if (doc) out.push([doc, score]);
    }
    return out;
  }

  /** Chunk ids (LangChain's `delete({ ids })`) or a whole paper's chunks (`delete({ paperId })`). */
  override async delete(params: { ids?: string[]; paperId?: string } = {}): Promise<void> {
    const labels = new Set<number>();
    for (const id of params.ids ?? []) {
      const label = this.labelFor(id);
      if (label !== undefined) labels.add(label);
    }
    if (params.paperId) {
      const total = (this.base?.count ?? 0) + this.documents.length;
      for (let label = 0; label < total; label++) if (this.documentAt(label)?.metadata.paperId === params.paperId) labels.add(label);
    }
    for (const label of labels) {
      const doc = this.documentAt(label);
      if (!doc) continue;
      this.graph.remove(label);
      if (this.base && label < this.base.count) this.deletedBase.add(label);
      else {
        this.documents[label - (this.base?.count ?? 0)] = null;
        this.labelOf.delete(doc.id ?? doc.metadata.chunkId);
      }
    }
  }

  /** Removes a paper's chunks; returns how many went. */
  async deletePaper(paperId: string): Promise<number> {
    const before = this.size;
    await this.delete({ paperId });
    return before - this.size;
  }

  /** Writes the graph and the documents into `dir`. */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.graph.save(join(dir, GRAPH));
    const total = (this.base?.count ?? 0) + this.documents.length;
    const documents = Array.from({ length: total }, (_, label) => this.documentAt(label));
    const saved: SavedDocs = { dimensions: this.dimensions, params: this.params, documents };
    writeFileSync(join(dir, DOCS), JSON.stringify(saved));
  }

  /** Reads a store `save()` wrote; deleted documents stay deleted. */
  static async load(dir: string, embeddings: EmbeddingsInterface): Promise<HnswVectorStore> {
    const saved = JSON.parse(readFileSync(join(dir, DOCS), 'utf8')) as SavedDocs;
    const graph = await HnswStore.load(join(dir, GRAPH), saved.dimensions, saved.params.efSearch);
    // hnswlib keeps its deletion marks in the file, so deleted chunks stay out of searches.
    return new HnswVectorStore(embeddings, graph, saved.params, saved.documents);
  }
}

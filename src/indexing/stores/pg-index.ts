/**
 * `VECTOR_STORE=pgvector`: the index in Postgres. `npm run index` builds the index as always (the
 * embedding cache, topics and every derived part come from the same code), then publishes it as a
 * new generation in the database and switches to it in one transaction. Bots open the current
 * generation and hold the papers, chunk texts, titles and topics; every vector (chunks, papers,
 * similar papers), the HNSW graphs and the lexical indexes stay in Postgres and every search and
 * /similar runs there (`candidate-source.ts`, `pgSimilar`).
 */
import type pg from 'pg';
import { checkSimilarK, similarPapers } from '../../browse/similar.js';
import type { SimilarPaper, Topic } from '../../browse/types.js';
import type { Paper } from '../../corpus/paper.js';
import { IndexMismatchError } from '../../errors.js';
import type { IndexedChunk } from '../chunk-file.js';
import { EmbedderEmbeddings } from '../embeddings/langchain-embeddings.js';
import type { Embedder } from '../embeddings/embedder.js';
import { type LitIndex, type TitleRecord } from '../load-index.js';
import type { Manifest } from '../manifest.js';
import { chunkDocs, paperDocs } from '../bm25-store.js';
import { chunkDocument } from './chunk-documents.js';
import { lexicalStats } from './lexical-stats.js';
import { currentGeneration, PgvectorStore, type PgVectorType } from './pgvector-store.js';

/** What the index keeps beside the rows, as one meta value. */
interface PgIndexMeta {
  manifest: Manifest;
  topics: Topic[];
  titles: TitleRecord[];
  answerTerms: unknown;
}

/** True when the database's current generation holds this build (same corpus, model and chunking): publishing again would change nothing. */
export async function isPublished(pool: pg.Pool, manifest: Manifest): Promise<boolean> {
  const current = await currentGeneration(pool);
  const m = current?.manifest as Manifest | undefined;
  return !!m && m.corpusHash === manifest.corpusHash && m.builtAt === manifest.builtAt && m.embeddings.id === manifest.embeddings.id;
}

/**
 * Writes a built index (its papers, chunks, vectors, topics and derived parts) into a new
 * generation and makes it current. Returns the generation's name.
 */
export async function publishIndex(
  pool: pg.Pool,
  index: LitIndex,
  embedder: Embedder,
  options: { vectorType?: PgVectorType; where?: string; log?: (line: string) => void; batch?: number } = {},
): Promise<string> {
  const log = options.log ?? (() => {});
  const { manifest } = index;
  const store = await PgvectorStore.create(new EmbedderEmbeddings(embedder), pool, {
    embeddingsId: manifest.embeddings.id,
    dimensions: manifest.embeddings.dimensions,
    vectorType: options.vectorType,
    hnsw: manifest.hnsw,
    where: options.where,
  });
  const papers = index.papers;
  const byId = new Map(papers.map((p) => [p.id, p]));
  const chunks = index.chunks;
  // The same documents the embedded BM25 indexes hold, so the database's exact scores are theirs.
  const paperLex = lexicalStats(paperDocs(papers));
  const chunkLex = lexicalStats(chunkDocs(chunks, (id) => byId.get(id)?.title ?? ''));
  await store.addPapers(papers, index.paperVectors, { lexStats: new Map(papers.map((p, i) => [p.id, paperLex.docs[i]])) });
  const chunkStats = new Map(chunks.map((c, i) => [c.id, chunkLex.docs[i]]));
  const vectors = index.chunkVectors;
  const batch = options.batch ?? 1000;
  for (let start = 0; start < chunks.length; start += batch) {
    const slice = chunks.slice(start, start + batch);
    await store.addVectors(
      vectors.slice(start, start + batch),
      slice.map((c) => chunkDocument(c, byId.get(c.paperId)!)),
      { lexStats: chunkStats },
    );
    log(`Writing chunks to Postgres: ${Math.min(start + batch, chunks.length)}/${chunks.length}`);
  }
  await store.putLexicalStats('papers', paperLex.collection, paperLex.df);
  await store.putLexicalStats('chunks', chunkLex.collection, chunkLex.df);
  const meta: PgIndexMeta = { manifest, topics: index.topics, titles: index.titles, answerTerms: index.answerTerms };
  await store.putMeta('index', meta);
  if (index.similarVectors) await store.putSimilarVectors(index.similarVectors);
  log('Building the vector and lexical indexes in Postgres ...');
  await store.commit(manifest);
  return store.generation.name;
}

/**
 * Opens the current generation as a `LitIndex` and its store. No generation says
 * `npm run index`; one built with another model says `npm run index -- --force`.
 */
export async function openPgIndex(pool: pg.Pool, embedder: Embedder, options: { where?: string } = {}): Promise<{ index: PgLitIndex; store: PgvectorStore }> {
  const where = options.where ?? 'DATABASE_URL';
  const store = await PgvectorStore.openCurrent(new EmbedderEmbeddings(embedder), pool, { embeddingsId: embedder.id, where });
  const meta = await store.getMeta<PgIndexMeta>('index');
  if (!meta) throw new IndexMismatchError(`the database at ${where}`, ['its current generation has no index record']);
  const [papers, chunks] = await Promise.all([store.readPapers(), store.readChunks()]);
  const index = new PgLitIndex(`the database at ${where}`, store.generation.name, meta, papers, chunks);
  return { index, store };
}

/**
 * /similar on Postgres: the paper's similar-papers vector and its nearest others come from the
 * database per request, and are scored here by the same `similarPapers` as the embedded index
 * (so the same neighbours with the same scores). A generation written before the vectors were a
 * `vector` column is read whole once, as it was.
 */
export function pgSimilar(store: PgvectorStore, index: LitIndex): (paperId: string, k: number) => Promise<SimilarPaper[]> {
  let titles: Map<string, string> | undefined;
  let legacy: Promise<Map<string, Float32Array> | undefined> | undefined;
  return async (paperId, k) => {
    checkSimilarK(k);
    titles ??= new Map(index.papers.map((p) => [p.id, p.title]));
    if (store.generation.similar !== 'vector') {
      legacy ??= store.readSimilarBytes();
      return similarPapers((await legacy) ?? new Map(), paperId, k, { titles });
    }
    // Room for the paper's duplicates (same title, same text), which are left out.
    const { own, others } = await store.similarCandidates(paperId, k + SIMILAR_MARGIN);
    const vectors = new Map(others);
    if (own) vectors.set(paperId, own);
    return similarPapers(vectors, paperId, k, { titles });
  };
}

/** Candidates beyond k that /similar fetches, for duplicates it leaves out and near-ties the database orders in single precision. */
const SIMILAR_MARGIN = 20;

const IN_DATABASE = 'is kept in Postgres (VECTOR_STORE=pgvector) and searched there';

/**
 * The index read from Postgres: what a bot holds in memory (papers with their metadata, chunk
 * texts, titles, topics, the answerer's word counts); vectors, the HNSW graphs and the lexical
 * indexes stay in the database and are searched there.
 */
export class PgLitIndex implements LitIndex {
  readonly manifest: Manifest;
  readonly topics: Topic[];
  readonly titles: TitleRecord[];
  readonly answerTerms: unknown;
  readonly paperIds: string[];
  readonly paperById: ReadonlyMap<string, Paper>;
  readonly chunks: IndexedChunk[];
  readonly chunkById: Map<string, number>;
  readonly chunksOfPaper = new Map<string, number[]>();

  constructor(
    readonly dir: string,
    readonly generation: string,
    meta: PgIndexMeta,
    readonly papers: Paper[],
    chunks: { id: string; paperId: string; seq: number; text: string }[],
  ) {
    this.manifest = meta.manifest;
    this.topics = meta.topics;
    this.titles = meta.titles;
    this.answerTerms = meta.answerTerms;
    this.paperIds = papers.map((p) => p.id);
    this.paperById = new Map(papers.map((p) => [p.id, p]));
    this.chunks = chunks.map(({ id, paperId, seq, text }) => ({ id, paperId, seq, text }));
    this.chunkById = new Map(this.chunks.map((c, i) => [c.id, i]));
    this.chunks.forEach((c, i) => {
      const list = this.chunksOfPaper.get(c.paperId);
      if (list) list.push(i);
      else this.chunksOfPaper.set(c.paperId, [i]);
    });
  }

  get chunkVectors(): never {
    throw new Error(`Chunk vectors ${IN_DATABASE}.`);
  }
  get paperVectors(): never {
    throw new Error(`Paper vectors ${IN_DATABASE}.`);
  }
  get similarVectors(): never {
    throw new Error(`Similar-papers vectors ${IN_DATABASE}.`);
  }
  get hnsw(): never {
    throw new Error(`The HNSW graph ${IN_DATABASE}.`);
  }
  get bm25Chunks(): never {
    throw new Error(`The chunks' lexical index ${IN_DATABASE}.`);
  }
  get bm25Papers(): never {
    throw new Error(`The papers' lexical index ${IN_DATABASE}.`);
  }

  loadAll(): void {}
}

/**
 * After `npm run index` (or a start that built the index): when `VECTOR_STORE=pgvector`, puts the
 * built index into Postgres unless the current generation already holds it. Returns what happened.
 */
export async function publishToDatabase(
  env: { VECTOR_STORE: string; DATABASE_URL?: string },
  indexDir: string,
  embedder: Embedder,
  options: { log?: (line: string) => void; force?: boolean } = {},
): Promise<{ published: boolean; generation?: string; where: string } | undefined> {
  if (env.VECTOR_STORE !== 'pgvector') return undefined;
  const { connectDatabase } = await import('./pgvector-store.js');
  const { openIndex } = await import('../load-index.js');
  const { DatabaseUrlMissingError, describeDatabase } = await import('./pg-errors.js');
  if (!env.DATABASE_URL) throw new DatabaseUrlMissingError();
  const where = describeDatabase(env.DATABASE_URL);
  const pool = await connectDatabase(env.DATABASE_URL);
  try {
    const index = openIndex(indexDir, { id: embedder.id });
    if (!options.force && (await isPublished(pool, index.manifest))) {
      options.log?.(`Postgres at ${where} already serves this index.`);
      return { published: false, where };
    }
    options.log?.(`Writing the index to Postgres at ${where} ...`);
    index.loadAll();
    const generation = await publishIndex(pool, index, embedder, { where, log: options.log });
    options.log?.(`Postgres at ${where} now serves generation ${generation}.`);
    return { published: true, generation, where };
  } finally {
    await pool.end();
  }
}

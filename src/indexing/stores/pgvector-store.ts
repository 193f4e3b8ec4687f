/**
 * The index in Postgres: chunks with their vectors (an HNSW index of pgvector), the papers with
 * their metadata and paper vectors, and the lexical index (BM25 of the `pg_textsearch` extension,
 * or Postgres's own `ts_rank` where that extension is missing), as a LangChain `VectorStore`.
 *
 * Built on `pg` rather than `@langchain/community`'s `PGVectorStore`: that package cannot be
 * added to this project without `--legacy-peer-deps` (its peer `@browserbasehq/stagehand` wants
 * zod 3, Litbot uses zod 4: ERESOLVE, checked again with 1.1.29), and it has no lexical index,
 * generations, `halfvec` or paper rows (docs/pgvector.md).
 *
 * Generations: `npm run index` writes each build into a schema of its own (`litbot_g_...`), builds
 * its indexes, then points `litbot.current` at it in one transaction, so readers switch between
 * two complete indexes and never see a half-built one; the generation before stays for readers
 * still using it and older ones are dropped. Bots read the current one and poll for the next (`live-index.ts`); they write nothing.
 */
import { VectorStore } from '@langchain/core/vectorstores';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { DocumentInterface } from '@langchain/core/documents';
import pg from 'pg';
import type { Paper } from '../../corpus/paper.js';
import { IndexMismatchError, IndexNotBuiltError } from '../../errors.js';
import { Bm25Store } from '../bm25-store.js';
import type { ChunkDocument, ChunkMetadata, StoreFilter } from './chunk-documents.js';
import { isFiltering } from './chunk-documents.js';
import { bm25Score, type CollectionLexStats, type DocStats } from './lexical-stats.js';
import {
  DatabaseUnavailableError,
  DatabaseUnreachableError,
  GenerationGoneError,
  VectorExtensionMissingError,
  connectionReason,
  describeDatabase,
  droppedGeneration,
  isConnectionError,
} from './pg-errors.js';

/** `halfvec` stores 2 bytes a dimension instead of 4 (see docs/pgvector.md for its recall). */

/** The columns with a lexical index: whole paper, title, abstract, chunk. */
const LEXICAL_COLUMNS = [
  ['papers', 'lex'],
  ['papers', 'lex_title'],
  ['papers', 'lex_abstract'],
  ['chunks', 'lex'],
] as const;
export type PgVectorType = 'vector' | 'halfvec';

/** What the lexical half runs on: the BM25 index of `pg_textsearch`, or `ts_rank` over a GIN index. */
export type LexicalEngine = 'bm25' | 'ts_rank';

/** What a generation records about itself, compared with the configuration on opening. */
export interface GenerationInfo {
  name: string;
  embeddingsId: string;
  dimensions: number;
  vectorType: PgVectorType;
  lexical: LexicalEngine;
  hnsw: { m: number; efConstruction: number; efSearch: number };
  /**
   * `vector`: the similar-papers vectors are a pgvector column, searched in the database per
   * request. Absent in generations written before: float32 bytes, which a bot reads whole.
   */
  similar?: 'vector';
}

export interface PgvectorStoreOptions {
  pool: pg.Pool;
  /** The generation this store reads or writes. */
  generation: GenerationInfo;
  /** Where the database is, for messages (never the URL: it may hold a password). */
  where?: string;
}

/** The lexical index a query runs against. */
export type LexicalTarget = 'papers' | 'paperTitles' | 'paperAbstracts' | 'chunks';

const CONTROL = 'litbot';
const DEFAULT_HNSW = { m: 16, efConstruction: 200, efSearch: 128 };
/** Rows per INSERT: big enough to amortise a round trip, small enough for PGlite's message size. */
const INSERT_BATCH = 200;

const schemaOf = (generation: string) => `litbot_${generation}`;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const vectorLiteral = (v: ArrayLike<number>) => `[${Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;

/** The processed terms (stop words out, Porter stems) the project's BM25 uses, space-joined: what the database indexes with the `simple` configuration, so both lexical indexes see the same words. */
export function lexicalText(text: string): string {
  return Bm25Store.terms(text).join(' ');
}

/** Opens a pool on `DATABASE_URL` and checks that the server answers and has pgvector; each failure names its fix. */
export async function connectDatabase(url: string, options: { max?: number; efSearch?: number; connectionTimeoutMillis?: number } = {}): Promise<pg.Pool> {
  const where = describeDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 4, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000, idleTimeoutMillis: 30_000 });
  // An idle connection the server drops must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  sessionSettings.set(pool, `SET hnsw.ef_search = ${Math.round(options.efSearch ?? DEFAULT_HNSW.efSearch)}; SET hnsw.iterative_scan = relaxed_order`);
  try {
    const { rows } = await pool.query<{ available: boolean; installed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available, EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed`,
    );
    if (!rows[0].installed) {
      if (!rows[0].available) throw new VectorExtensionMissingError(where);
      try {
        await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch {
        throw new VectorExtensionMissingError(where);
      }
    }
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof VectorExtensionMissingError) throw error;
    throw new DatabaseUnreachableError(where, connectionReason(error));
  }
  return pool;
}

/** Per pool: the search settings each new connection gets before its first query. */
const sessionSettings = new WeakMap<pg.Pool, string>();
const configured = new WeakSet<pg.PoolClient>();

/**
 * Runs a query on a pooled connection, after the pool's session settings (efSearch, and filtered
 * searches walking on until they have enough rows: pgvector 0.8's iterative scan) on a new one.
 * A dropped or refused connection becomes `DatabaseUnavailableError`; the pool reconnects next time.
 */
async function query<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  let client: pg.PoolClient | undefined;
  try {
    client = await pool.connect();
    const settings = sessionSettings.get(pool);
    if (settings && !configured.has(client)) {
      await client.query(settings);
      configured.add(client);
    }
    return await client.query<R>(text, values);
  } catch (error) {
    if (isConnectionError(error)) {
      // A broken connection must not go back to the pool.
      client?.release(true);
      client = undefined;
      throw new DatabaseUnavailableError(connectionReason(error));
    }
    const gone = droppedGeneration(error);
    if (gone) throw new GenerationGoneError(gone);
    throw error;
  } finally {
    client?.release();
  }
}

async function ensureControlTables(pool: pg.Pool): Promise<void> {
  await query(
    pool,
    `CREATE SCHEMA IF NOT EXISTS ${CONTROL};
     CREATE TABLE IF NOT EXISTS ${CONTROL}.generations (name text PRIMARY KEY, info jsonb NOT NULL, manifest jsonb, created_at timestamptz NOT NULL DEFAULT now(), ready boolean NOT NULL DEFAULT false);
     CREATE TABLE IF NOT EXISTS ${CONTROL}.current (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), generation text NOT NULL REFERENCES ${CONTROL}.generations (name), switched_at timestamptz NOT NULL DEFAULT now());`,
  );
}

/** The current generation's record and manifest, or undefined when nothing has been built. */
export async function currentGeneration(pool: pg.Pool): Promise<{ info: GenerationInfo; manifest: unknown } | undefined> {
  const { rows: tables } = await query<{ t: string | null }>(pool, `SELECT to_regclass('${CONTROL}.current')::text AS t`);
  if (!tables[0]?.t) return undefined;
  const { rows } = await query<{ info: GenerationInfo; manifest: unknown }>(
    pool,
    `SELECT g.info, g.manifest FROM ${CONTROL}.current c JOIN ${CONTROL}.generations g ON g.name = c.generation`,
  );
  return rows[0];
}

async function extensionAvailable(pool: pg.Pool, name: string): Promise<boolean> {
  const { rows } = await query<{ ok: boolean }>(pool, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1) AS ok`, [name]);
  if (rows[0].ok) return true;
  try {
    await query(pool, `CREATE EXTENSION IF NOT EXISTS ${ident(name)}`);
    return true;
  } catch {
    return false;
  }
}

export class PgvectorStore extends VectorStore {
  declare FilterType: StoreFilter;
  readonly pool: pg.Pool;
  readonly generation: GenerationInfo;
  readonly where: string;
  private readonly schema: string;

  constructor(embeddings: EmbeddingsInterface, options: PgvectorStoreOptions) {
    super(embeddings, {});
    this.pool = options.pool;
    this.generation = options.generation;
    this.schema = ident(schemaOf(options.generation.name));
    this.where = options.where ?? 'DATABASE_URL';
  }

  _vectorstoreType(): string {
    return 'litbot-pgvector';
  }

  private get vtype(): string {
    return this.generation.vectorType;
  }

  private table(name: 'papers' | 'chunks' | 'meta' | 'lex_df' | 'similar'): string {
    return `${this.schema}.${name}`;
  }

  /**
   * Starts a new generation: its schema and tables, not yet current. Write papers and chunks into
   * it, then `commit()`.
   */
  static async create(
    embeddings: EmbeddingsInterface,
    pool: pg.Pool,
    settings: { embeddingsId: string; dimensions: number; vectorType?: PgVectorType; hnsw?: GenerationInfo['hnsw']; where?: string },
  ): Promise<PgvectorStore> {
    await ensureControlTables(pool);
    const lexical: LexicalEngine = (await extensionAvailable(pool, 'pg_textsearch')) ? 'bm25' : 'ts_rank';
    const name = `g_${Date.now().toString(36)}_${process.pid}`;
    const info: GenerationInfo = {
      name,
      embeddingsId: settings.embeddingsId,
      dimensions: settings.dimensions,
      vectorType: settings.vectorType ?? 'halfvec',
      lexical,
      hnsw: settings.hnsw ?? DEFAULT_HNSW,
      similar: 'vector',
    };
    const store = new PgvectorStore(embeddings, { pool, generation: info, where: settings.where });
    const d = info.dimensions;
    const v = info.vectorType;
    await query(pool, `INSERT INTO ${CONTROL}.generations (name, info) VALUES ($1, $2)`, [name, JSON.stringify(info)]);
    await query(
      pool,
      `CREATE SCHEMA ${store.schema};
       CREATE TABLE ${store.table('papers')} (id text PRIMARY KEY, position integer NOT NULL, title text NOT NULL, iso_date text, sources text[] NOT NULL,
         paper jsonb NOT NULL, lex text NOT NULL, lex_title text NOT NULL, lex_abstract text NOT NULL, lex_stats jsonb, embedding ${v}(${d}));
       CREATE TABLE ${store.table('chunks')} (id text PRIMARY KEY, paper_id text NOT NULL, seq integer NOT NULL, position serial, text text NOT NULL, embed_text text,
         iso_date text, sources text[] NOT NULL, title text NOT NULL, url text NOT NULL, lex text NOT NULL, lex_stats jsonb, embedding ${v}(${d}) NOT NULL);
       CREATE TABLE ${store.table('meta')} (key text PRIMARY KEY, value jsonb NOT NULL);
       CREATE TABLE ${store.table('similar')} (paper_id text PRIMARY KEY, v vector NOT NULL);
       CREATE TABLE ${store.table('lex_df')} (target text NOT NULL, term text NOT NULL, df_title integer NOT NULL, df_text integer NOT NULL, PRIMARY KEY (target, term));`,
    );
    return store;
  }

  /**
   * Opens the current generation for reading. Throws `IndexNotBuiltError` when there is none and
   * `IndexMismatchError` when it was built with another embedding model, each naming the fix.
   */
  static async openCurrent(embeddings: EmbeddingsInterface, pool: pg.Pool, expected: { embeddingsId: string; dimensions?: number; where?: string }): Promise<PgvectorStore> {
    const where = expected.where ?? 'DATABASE_URL';
    const current = await currentGeneration(pool);
    if (!current) throw new IndexNotBuiltError(`the database at ${where}`);
    const { info } = current;
    const differences: string[] = [];
    if (info.embeddingsId !== expected.embeddingsId) differences.push(`built with EMBEDDINGS=${info.embeddingsId}, configured ${expected.embeddingsId}`);
    else if (expected.dimensions && expected.dimensions !== info.dimensions)
      differences.push(`built with ${info.dimensions}-dimensional vectors, the model gives ${expected.dimensions}`);
    if (differences.length) throw new IndexMismatchError(`the database at ${where}`, differences);
    return new PgvectorStore(embeddings, { pool, generation: info, where });
  }

  /** Writes papers: metadata, the lexical text of title and abstract, and the paper vector. */
  async addPapers(papers: Paper[], vectors: Map<string, ArrayLike<number>>, options: { firstPosition?: number; lexStats?: Map<string, DocStats> } = {}): Promise<void> {
    const firstPosition = options.firstPosition ?? 0;
    for (let start = 0; start < papers.length; start += INSERT_BATCH) {
      const batch = papers.slice(start, start + INSERT_BATCH);
      const values: unknown[] = [];
      const rows = batch.map((p, i) => {
        const vector = vectors.get(p.id);
        values.push(
          p.id,
          firstPosition + start + i,
          p.title,
          p.isoDate ?? null,
          [...new Set(p.sources.map((s) => s.file))],
          JSON.stringify(p),
          lexicalText(`${p.title} ${p.abstract}`),
          lexicalText(p.title),
          lexicalText(p.abstract),
          vector ? vectorLiteral(vector) : null,
          options.lexStats?.has(p.id) ? JSON.stringify(options.lexStats.get(p.id)) : null,
        );
        const o = i * 11;
        return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9}, $${o + 10}::${this.vtype}, $${o + 11})`;
      });
      await query(
        this.pool,
        `INSERT INTO ${this.table('papers')} (id, position, title, iso_date, sources, paper, lex, lex_title, lex_abstract, embedding, lex_stats) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, iso_date = excluded.iso_date, sources = excluded.sources, paper = excluded.paper,
           lex = excluded.lex, lex_title = excluded.lex_title, lex_abstract = excluded.lex_abstract, embedding = excluded.embedding, lex_stats = excluded.lex_stats`,
        values,
      );
    }
  }

  /** Writes chunk documents with their vectors (LangChain's entry point; `addDocuments` embeds first). */
  async addVectors(vectors: number[][] | Float32Array[], documents: DocumentInterface[], options: { lexStats?: Map<string, DocStats> } = {}): Promise<string[]> {
    if (vectors.length !== documents.length) throw new Error(`addVectors: ${vectors.length} vectors for ${documents.length} documents`);
    const ids: string[] = [];
    for (let start = 0; start < documents.length; start += INSERT_BATCH) {
      const values: unknown[] = [];
      const rows = documents.slice(start, start + INSERT_BATCH).map((doc, i) => {
        const vector = vectors[start + i];
        if (vector.length !== this.generation.dimensions) throw new Error(`Vector of ${vector.length} dimensions for a ${this.generation.dimensions}-dimensional index`);
        const m = doc.metadata as ChunkMetadata & { embedText?: string };
        const id = doc.id ?? m.chunkId;
        ids.push(id);
        const stats = options.lexStats?.get(id);
        values.push(
          id,
          m.paperId,
          m.seq ?? 0,
          doc.pageContent,
          m.embedText ?? null,
          m.isoDate ?? null,
          m.sources ?? [],
          m.title ?? '',
          m.url ?? '',
          lexicalText(`${m.title ?? ''} ${doc.pageContent}`),
          vectorLiteral(vector),
          stats ? JSON.stringify(stats) : null,
        );
        const o = i * 12;
        return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9}, $${o + 10}, $${o + 11}::${this.vtype}, $${o + 12})`;
      });
      await query(
        this.pool,
        `INSERT INTO ${this.table('chunks')} (id, paper_id, seq, text, embed_text, iso_date, sources, title, url, lex, embedding, lex_stats) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO UPDATE SET text = excluded.text, embed_text = excluded.embed_text, iso_date = excluded.iso_date, sources = excluded.sources,
           title = excluded.title, url = excluded.url, lex = excluded.lex, embedding = excluded.embedding, lex_stats = excluded.lex_stats`,
        values,
      );
    }
    return ids;
  }

  async addDocuments(documents: DocumentInterface[]): Promise<string[]> {
    return this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents);
  }

  /** Small values kept beside the index (the manifest, topics). */
  async putMeta(key: string, value: unknown): Promise<void> {
    await query(this.pool, `INSERT INTO ${this.table('meta')} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, JSON.stringify(value)]);
  }

  /** The collection statistics and document frequencies exact lexical scores need (`lexical-stats.ts`); written once per generation. */
  async putLexicalStats(target: 'papers' | 'chunks', collection: CollectionLexStats, df: Map<string, [number, number]>): Promise<void> {
    const entries = [...df];
    for (let start = 0; start < entries.length; start += 1000) {
      const batch = entries.slice(start, start + 1000);
      await query(this.pool, `INSERT INTO ${this.table('lex_df')} (target, term, df_title, df_text) SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[])`, [
        target,
        batch.map(([t]) => t),
        batch.map(([, c]) => c[0]),
        batch.map(([, c]) => c[1]),
      ]);
    }
    const all = (await this.getMeta<Record<string, CollectionLexStats>>('lexStats')) ?? {};
    await this.putMeta('lexStats', { ...all, [target]: collection });
    this.lexStats = undefined;
  }

  private lexStats?: Promise<Record<string, CollectionLexStats>>;

  /**
   * The similar-papers vectors, one row each, as `vector` (4-byte floats, so they read back to
   * the bit; no HNSW index: their dimensions may pass its 2,000 limit, and an exact scan of one
   * row per paper is what /similar needs). As one JSON value they were 325 MB of text at 20,000
   * papers and ran PGlite out of memory.
   */
  async putSimilarVectors(vectors: Map<string, Float32Array>): Promise<void> {
    const entries = [...vectors];
    for (let start = 0; start < entries.length; start += INSERT_BATCH) {
      const batch = entries.slice(start, start + INSERT_BATCH);
      await query(this.pool, `INSERT INTO ${this.table('similar')} (paper_id, v) SELECT id, v::vector FROM unnest($1::text[], $2::text[]) AS t(id, v)`, [
        batch.map(([id]) => id),
        batch.map(([, v]) => vectorLiteral(v)),
      ]);
    }
  }

  /**
   * One paper's similar-papers vector and the `limit` nearest others by cosine, from the
   * database: what /similar needs, without holding every paper's vector in the bot. Undefined
   * `own` when the paper has none.
   */
  async similarCandidates(paperId: string, limit: number): Promise<{ own?: Float32Array; others: Map<string, Float32Array> }> {
    const { rows } = await query<{ paper_id: string; v: string; own: boolean }>(
      this.pool,
      `SELECT paper_id, v::text AS v, true AS own FROM ${this.table('similar')} WHERE paper_id = $1
       UNION ALL
       (SELECT s.paper_id, s.v::text, false FROM ${this.table('similar')} s, (SELECT v FROM ${this.table('similar')} WHERE paper_id = $1) q
         WHERE s.paper_id <> $1 ORDER BY s.v <=> q.v LIMIT $2)`,
      [paperId, limit],
    );
    const parse = (v: string) => Float32Array.from(JSON.parse(v) as number[]);
    const own = rows.find((r) => r.own);
    return { own: own && parse(own.v), others: new Map(rows.filter((r) => !r.own).map((r) => [r.paper_id, parse(r.v)])) };
  }

  /** Every similar-papers vector of a generation written before they were a `vector` column (float32 bytes), or undefined when it has none. */
  async readSimilarBytes(): Promise<Map<string, Float32Array> | undefined> {
    const { rows } = await query<{ paper_id: string; vec: Buffer }>(this.pool, `SELECT paper_id, vec FROM ${this.table('similar')}`);
    if (!rows.length) return undefined;
    // Copied: a Buffer from the driver need not be 4-byte aligned.
    return new Map(rows.map((r) => [r.paper_id, new Float32Array(new Uint8Array(r.vec).buffer)]));
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    const { rows } = await query<{ value: T }>(this.pool, `SELECT value FROM ${this.table('meta')} WHERE key = $1`, [key]);
    return rows[0]?.value;
  }

  /** Builds the generation's indexes (HNSW on chunk and paper vectors, the lexical ones, the filters'), then makes it current in one transaction. */
  async commit(manifest: unknown): Promise<void> {
    const { m, efConstruction } = this.generation.hnsw;
    const ops = `${this.vtype}_ip_ops`;
    const s = schemaOf(this.generation.name);
    await query(
      this.pool,
      `CREATE INDEX ${ident(`${s}_chunks_hnsw`)} ON ${this.table('chunks')} USING hnsw (embedding ${ops}) WITH (m = ${m}, ef_construction = ${efConstruction});
       CREATE INDEX ${ident(`${s}_papers_hnsw`)} ON ${this.table('papers')} USING hnsw (embedding ${ops}) WITH (m = ${m}, ef_construction = ${efConstruction});
       CREATE INDEX ON ${this.table('chunks')} (paper_id);
       CREATE INDEX ON ${this.table('papers')} (iso_date);`,
    );
    if (this.generation.lexical === 'bm25') {
      for (const [table, column] of LEXICAL_COLUMNS) {
        // `simple`: the text holds the project's own stems already, so both lexical indexes see the same terms.
        await query(
          this.pool,
          `CREATE INDEX ${ident(this.bm25Index(table, column))} ON ${this.table(table)} USING bm25 (${column}) WITH (text_config = 'simple', k1 = 1.2, b = 0.6)`,
        );
      }
    } else {
      for (const [table, column] of LEXICAL_COLUMNS) {
        await query(this.pool, `CREATE INDEX ON ${this.table(table)} USING gin (to_tsvector('simple', ${column}))`);
      }
    }
    await query(this.pool, `ANALYZE ${this.table('papers')}; ANALYZE ${this.table('chunks')}`);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE ${CONTROL}.generations SET ready = true, manifest = $2 WHERE name = $1`, [this.generation.name, JSON.stringify(manifest)]);
      await client.query(
        `INSERT INTO ${CONTROL}.current (only_row, generation, switched_at) VALUES (true, $1, now()) ON CONFLICT (only_row) DO UPDATE SET generation = excluded.generation, switched_at = now()`,
        [this.generation.name],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    await dropOldGenerations(this.pool, this.generation.name);
  }

  private bm25Index(table: 'papers' | 'chunks', column: string): string {
    return `${schemaOf(this.generation.name)}_${table}_${column}_bm25`;
  }

  /** SQL conditions for a filter on a table with `iso_date`, `sources` and a paper id column. */
  private filterSql(filter: StoreFilter | undefined, values: unknown[], paperIdColumn: string): string {
    if (!isFiltering(filter)) return 'true';
    const parts: string[] = [];
    if (filter.from) {
      values.push(filter.from);
      parts.push(`iso_date >= $${values.length}`);
    }
    if (filter.to) {
      values.push(filter.to);
      parts.push(`left(iso_date, length($${values.length}::text)) <= $${values.length}`);
    }
    if (filter.source) {
      values.push(filter.source);
      parts.push(`EXISTS (SELECT 1 FROM unnest(sources) AS f WHERE strpos(f, $${values.length}) > 0)`);
    }
    if (filter.paperIds) {
      values.push(filter.paperIds);
      parts.push(`${paperIdColumn} = ANY($${values.length}::text[])`);
    }
    return parts.join(' AND ');
  }

  /** Nearest chunks with cosine similarity (vectors are unit length, so the negated inner product), best first. */
  async similaritySearchVectorWithScore(queryVector: number[] | Float32Array, k: number, filter?: StoreFilter): Promise<[ChunkDocument, number][]> {
    if (queryVector.length !== this.generation.dimensions) throw new Error(`Query has ${queryVector.length} dimensions, the index ${this.generation.dimensions}`);
    if (k <= 0) return [];
    const values: unknown[] = [vectorLiteral(queryVector), k];
    const where = this.filterSql(filter, values, 'paper_id');
    const { rows } = await query<{
      id: string;
      paper_id: string;
      seq: number;
      text: string;
      iso_date: string | null;
      sources: string[];
      title: string;
      url: string;
      score: number;
    }>(
      this.pool,
      `SELECT * FROM (SELECT id, paper_id, seq, text, iso_date, sources, title, url, -(embedding <#> $1::${this.vtype}) AS score
         FROM ${this.table('chunks')} WHERE ${where} ORDER BY embedding <#> $1::${this.vtype} LIMIT $2) AS hits ORDER BY score DESC`,
      values,
    );
    return rows.map((r) => [
      {
        id: r.id,
        pageContent: r.text,
        metadata: { chunkId: r.id, paperId: r.paper_id, seq: r.seq, title: r.title, url: r.url, ...(r.iso_date ? { isoDate: r.iso_date } : {}), sources: r.sources },
      },
      Number(r.score),
    ]);
  }

  /** Nearest papers by their paper vector, with cosine similarity. */
  async nearestPapers(queryVector: ArrayLike<number>, k: number, filter?: StoreFilter): Promise<{ paperId: string; score: number }[]> {
    const values: unknown[] = [vectorLiteral(queryVector), k];
    const where = this.filterSql(filter, values, 'id');
    const { rows } = await query<{ id: string; score: number }>(
      this.pool,
      `SELECT id, -(embedding <#> $1::${this.vtype}) AS score FROM ${this.table('papers')} WHERE embedding IS NOT NULL AND ${where} ORDER BY embedding <#> $1::${this.vtype} LIMIT $2`,
      values,
    );
    return rows.map((r) => ({ paperId: r.id, score: Number(r.score) }));
  }

  /**
   * Lexical search in the database: document ids with scores (higher is better), best first.
   * `papers` searches title and abstract, `paperTitles` / `paperAbstracts` one of them, `chunks`
   * the passages (with their paper's title).
   */
  async lexicalSearch(text: string, limit: number, target: LexicalTarget = 'papers', filter?: StoreFilter): Promise<{ id: string; score: number }[]> {
    const qTerms = Bm25Store.terms(text);
    const terms = qTerms.join(' ');
    if (!terms || limit <= 0) return [];
    const [table, column] =
      target === 'chunks'
        ? (['chunks', 'lex'] as const)
        : target === 'paperTitles'
          ? (['papers', 'lex_title'] as const)
          : target === 'paperAbstracts'
            ? (['papers', 'lex_abstract'] as const)
            : (['papers', 'lex'] as const);
    const values: unknown[] = [terms, limit];
    const where = this.filterSql(filter, values, table === 'chunks' ? 'paper_id' : 'id');
    const statsTarget = table === 'chunks' ? 'chunks' : 'papers';
    this.lexStats ??= this.getMeta<Record<string, CollectionLexStats>>('lexStats').then((v) => v ?? {});
    const collection = (await this.lexStats)[statsTarget];
    // With the collection's statistics, the database's index only finds candidates (three times as many) and they are scored exactly as the embedded index scores them.
    values[1] = collection ? Math.max(limit * 3, limit + 50) : limit;
    type LexRow = { id: string; score: number; position: number; lex_stats: DocStats | null };
    let rows: LexRow[];
    if (this.generation.lexical === 'bm25') {
      // Qualified: the index lives in the generation's schema, which is on no search path.
      values.push(`${schemaOf(this.generation.name)}.${this.bm25Index(table, column)}`);
      // `<@>` gives the negated BM25 score (ascending order is what an index scan serves); 0 means no term matched.
      ({ rows } = await query<LexRow>(
        this.pool,
        `SELECT id, score, position, lex_stats FROM (SELECT id, position, lex_stats, -(${column} <@> to_bm25query($1, $${values.length})) AS score FROM ${this.table(table)} WHERE ${where}
           ORDER BY ${column} <@> to_bm25query($1, $${values.length}) LIMIT $2) AS hits WHERE score > 0`,
        values,
      ));
    } else {
      ({ rows } = await query<LexRow>(
        this.pool,
        `SELECT id, position, lex_stats, ts_rank(to_tsvector('simple', ${column}), q) AS score FROM ${this.table(table)}, to_tsquery('simple', array_to_string(string_to_array($1, ' '), ' | ')) AS q
          WHERE to_tsvector('simple', ${column}) @@ q AND ${where} ORDER BY score DESC LIMIT $2`,
        values,
      ));
    }
    if (!collection) return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
    const { rows: dfRows } = await query<{ term: string; df_title: number; df_text: number }>(
      this.pool,
      `SELECT term, df_title, df_text FROM ${this.table('lex_df')} WHERE target = $1 AND term = ANY($2::text[])`,
      [statsTarget, [...new Set(qTerms)]],
    );
    const df = new Map(dfRows.map((r) => [r.term, [r.df_title, r.df_text] as [number, number]]));
    const fields: (0 | 1)[] = target === 'paperTitles' ? [0] : target === 'paperAbstracts' ? [1] : [0, 1];
    return rows
      .filter((r) => r.lex_stats)
      .map((r) => ({ id: r.id, position: r.position, score: bm25Score(qTerms, r.lex_stats!, collection, (t) => df.get(t), fields) }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || a.position - b.position)
      .slice(0, limit)
      .map(({ id, score }) => ({ id, score }));
  }

  /** Every chunk of these papers with its cosine to the query vector, and each paper's own cosine: what exact re-scoring of candidates needs. */
  async candidateCosines(queryVector: ArrayLike<number>, paperIds: string[]): Promise<{ chunks: Map<string, number>; papers: Map<string, number> }> {
    const q = vectorLiteral(queryVector);
    const [chunks, papers] = await Promise.all([
      query<{ id: string; score: number }>(this.pool, `SELECT id, -(embedding <#> $1::${this.vtype}) AS score FROM ${this.table('chunks')} WHERE paper_id = ANY($2::text[])`, [
        q,
        paperIds,
      ]),
      query<{ id: string; score: number }>(this.pool, `SELECT id, -(embedding <#> $1::${this.vtype}) AS score FROM ${this.table('papers')} WHERE id = ANY($2::text[])`, [
        q,
        paperIds,
      ]),
    ]);
    return {
      chunks: new Map(chunks.rows.map((r) => [r.id, Number(r.score)])),
      papers: new Map(papers.rows.map((r) => [r.id, Number(r.score)])),
    };
  }

  /** The papers in index order. */
  async readPapers(): Promise<Paper[]> {
    const { rows } = await query<{ paper: Paper }>(this.pool, `SELECT paper FROM ${this.table('papers')} ORDER BY position`);
    return rows.map((r) => r.paper);
  }

  /** The chunks (without vectors) in insertion order. */
  async readChunks(): Promise<{ id: string; paperId: string; seq: number; text: string; embedText: string }[]> {
    const { rows } = await query<{ id: string; paper_id: string; seq: number; text: string; embed_text: string | null }>(
      this.pool,
      `SELECT id, paper_id, seq, text, embed_text FROM ${this.table('chunks')} ORDER BY position`,
    );
    return rows.map((r) => ({ id: r.id, paperId: r.paper_id, seq: r.seq, text: r.text, embedText: r.embed_text ?? r.text }));
  }

  /** Chunk ids (LangChain's `delete({ ids })`) or a whole paper with its chunks (`delete({ paperId })`). */
  override async delete(params: { ids?: string[]; paperId?: string } = {}): Promise<void> {
    if (params.ids?.length) await query(this.pool, `DELETE FROM ${this.table('chunks')} WHERE id = ANY($1::text[])`, [params.ids]);
    if (params.paperId) await this.deletePaper(params.paperId);
  }

  /** Removes a paper and its chunks; returns how many chunks went. */
  async deletePaper(paperId: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(`DELETE FROM ${this.table('chunks')} WHERE paper_id = $1`, [paperId]);
      await client.query(`DELETE FROM ${this.table('papers')} WHERE id = $1`, [paperId]);
      await client.query('COMMIT');
      return rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (isConnectionError(error)) throw new DatabaseUnavailableError(connectionReason(error));
      throw error;
    } finally {
      client.release();
    }
  }

  /** Rows and bytes of the generation's tables and indexes, for the bench. */
  async sizes(): Promise<{ chunks: number; tableBytes: number; vectorIndexBytes: number; totalBytes: number }> {
    const s = schemaOf(this.generation.name);
    const { rows } = await query<{ chunks: string; table_bytes: string; hnsw_bytes: string; total: string }>(
      this.pool,
      `SELECT (SELECT count(*) FROM ${this.table('chunks')}) AS chunks,
              pg_table_size('${s}.chunks') AS table_bytes,
              pg_relation_size('${s}.${s}_chunks_hnsw') AS hnsw_bytes,
              (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${s}' AND c.relkind = 'r') AS total`,
    );
    const r = rows[0];
    return { chunks: Number(r.chunks), tableBytes: Number(r.table_bytes), vectorIndexBytes: Number(r.hnsw_bytes), totalBytes: Number(r.total) };
  }
}

/** Drops generations older than the current one and the one before it (readers may still be on that one). */
async function dropOldGenerations(pool: pg.Pool, current: string): Promise<void> {
  const { rows } = await query<{ name: string }>(pool, `SELECT name FROM ${CONTROL}.generations WHERE name <> $1 ORDER BY created_at DESC, name DESC`, [current]);
  const keep = rows.slice(0, 1).map((r) => r.name);
  for (const { name } of rows) {
    if (keep.includes(name)) continue;
    await query(pool, `DROP SCHEMA IF EXISTS ${ident(schemaOf(name))} CASCADE`);
    await query(pool, `DELETE FROM ${CONTROL}.generations WHERE name = $1`, [name]);
  }
}

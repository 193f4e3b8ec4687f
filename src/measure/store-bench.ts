/**
 * `npm run bench -- --store pgvector`: the embedded index (hnswlib files) and Postgres + pgvector
 * side by side on one corpus (the seeds by default): build (the file build, then the publish to
 * Postgres), load, hybrid search p50/p95 through the whole retriever, nearest-chunk search p50/p95
 * in each store, recall of pgvector's top 10 chunks against the embedded store's and against
 * exact search, for `vector` and `halfvec` columns, and the memory of the process that serves.
 *
 * Postgres is `DATABASE_URL` when set, else a PGlite server started in a child process (so its
 * memory is not counted as the bot's). PGlite is Postgres compiled to WASM: its inserts and index
 * builds are much slower than a real server's (about 12 minutes per 100,000 512-d vectors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Env } from '../config/env.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { EmbedderEmbeddings } from '../indexing/embeddings/langchain-embeddings.js';
import { openIndex, readManifest } from '../indexing/load-index.js';
import { publishIndex } from '../indexing/stores/pg-index.js';
import { describeDatabase } from '../indexing/stores/pg-errors.js';
import { connectDatabase, currentGeneration, PgvectorStore, type PgVectorType } from '../indexing/stores/pgvector-store.js';
import { updateIndex } from '../indexing/update-index.js';
import { createLitbot, indexBuildHooks } from '../litbot.js';
import type { LabelledQuestion } from './retrieval-eval.js';
import { percentile } from './answer-bench.js';

export interface StoreBenchOptions {
  /** Corpus folder (default: CORPUS_DIR). */
  corpusDir?: string;
  queries: number;
  vectorTypes?: PgVectorType[];
  /**
   * Only the serving figures of both stores, on the index already in `INDEX_DIR` and the
   * generation `DATABASE_URL` serves (it must hold the same build): minutes instead of the
   * quarter of an hour PGlite takes to publish 20,000 papers.
   */
  serveOnly?: boolean;
  log: (line: string) => void;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Starts `npm run pg:dev --memory` as a child and resolves with its URL. */
async function startPgliteChild(): Promise<{ url: string; child: ChildProcess }> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const script = fileURLToPath(new URL(`../cli/pg-dev${ext}`, import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, '--memory', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /postgres:\/\/\S+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`pg:dev exited with ${code}: ${err.trim()}`)));
  });
  return { url, child };
}

async function timeSearches(search: (q: string) => Promise<unknown>, queries: string[]): Promise<number[]> {
  for (const q of queries.slice(0, 5)) await search(q);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await search(q);
    times.push(performance.now() - t);
  }
  return times;
}

interface ServeReport {
  loadMs: number;
  times: number[];
  rssBefore: number;
  rss: number;
  maxRss: number;
  /** V8 heap in use and array buffers (vectors, BM25 postings) after the searches. */
  heapUsed: number;
  arrayBuffers: number;
}

const CHILD_FLAG = '--store-bench-child';

/** Runs the serving part in a child process of this module, so each store's memory is its own. */
async function serveInChild(env: Env, queries: string[]): Promise<ServeReport> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(JSON.stringify({ env, queries }));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`the serving child failed (${code}): ${err.trim().slice(-2000)}`);
  return JSON.parse(line) as ServeReport;
}

async function serveChild(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const { env, queries } = JSON.parse(input) as { env: Env; queries: string[] };
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  const litbot = await createLitbot({ env, preload: true, log: () => {} });
  const loadMs = performance.now() - t;
  const times = await timeSearches((q) => litbot.search(q, { k: 10 }), queries);
  const memory = process.memoryUsage();
  const report: ServeReport = {
    loadMs,
    times,
    rssBefore,
    rss: memory.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: memory.heapUsed,
    arrayBuffers: memory.arrayBuffers,
  };
  await litbot.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

if (process.argv.includes(CHILD_FLAG)) await serveChild();

export async function runStoreBench(options: StoreBenchOptions): Promise<void> {
  if (options.serveOnly) return runServeOnly(options);
  const { log } = options;
  const base = loadConfig();
  const root = mkdtempSync(join(tmpdir(), 'litbot-store-bench-'));
  const corpusDir = options.corpusDir ?? base.CORPUS_DIR;
  const env: Env = { ...base, CORPUS_DIR: corpusDir, INDEX_DIR: join(root, 'index'), CACHE_DIR: base.CACHE_DIR, VECTOR_STORE: 'hnswlib' };
  const questions = (JSON.parse(readFileSync('test/fixtures/questions.json', 'utf8')) as LabelledQuestion[]).map((q) => q.question);
  const queries = Array.from({ length: options.queries }, (_, i) => questions[i % questions.length]);
  let pglite: ChildProcess | undefined;
  try {
    const embedder = createEmbedder(env);
    let t = performance.now();
    const built = await updateIndex({ env, embedder, force: true, ...indexBuildHooks(env, { log: () => {} }), log: () => {} });
    const buildS = (performance.now() - t) / 1000;
    log(
      `Stores side by side: ${corpusDir}, ${built.manifest.counts.papers} papers, ${built.manifest.counts.chunks} chunks, EMBEDDINGS=${env.EMBEDDINGS} (${built.manifest.embeddings.dimensions} d), ${queries.length} questions`,
    );
    log(`  file index build (embedding cache in ${env.CACHE_DIR}): ${buildS.toFixed(1)} s`);

    let url = base.DATABASE_URL;
    if (!url) {
      const started = await startPgliteChild();
      pglite = started.child;
      url = started.url;
      log(`  Postgres: PGlite 0.5 (Postgres 18, pgvector 0.8.7, pg_textsearch) in a child process at ${describeDatabase(url)}`);
    } else log(`  Postgres: DATABASE_URL (${describeDatabase(url)})`);

    // Publish once per column type; the last one published (halfvec when both) serves the bot below.
    const types = options.vectorTypes ?? ['vector', 'halfvec'];
    const index = openIndex(env.INDEX_DIR, { id: embedder.id });
    index.loadAll();
    await embedder.init();
    const embeddings = new EmbedderEmbeddings(embedder);
    const probe = queries.slice(0, Math.min(100, queries.length));
    const probeVectors = await Promise.all(probe.map((q) => embedder.embedQuery(q)));
    const hnswTop = probeVectors.map((v) => index.hnsw.search(v, 10).map(({ label }) => index.chunks[label].id));
    const exactTop = probeVectors.map((v) =>
      index.chunkVectors
        .map((c, i) => {
          let s = 0;
          for (let d = 0; d < v.length; d++) s += v[d] * c[d];
          return { i, s };
        })
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map(({ i }) => index.chunks[i].id),
    );
    const recall = (got: string[][], want: string[][]) => got.reduce((sum, g, i) => sum + g.filter((id) => want[i].includes(id)).length / want[i].length, 0) / got.length;
    log(`  embedded HNSW (M ${index.manifest.hnsw.m}, efSearch ${index.manifest.hnsw.efSearch}): recall@10 against exact search ${recall(hnswTop, exactTop).toFixed(3)}`);

    const pool = await connectDatabase(url, { efSearch: index.manifest.hnsw.efSearch });
    try {
      for (const vectorType of types) {
        t = performance.now();
        await publishIndex(pool, index, embedder, { vectorType });
        const publishS = (performance.now() - t) / 1000;
        const store = await PgvectorStore.openCurrent(embeddings, pool, { embeddingsId: embedder.id });
        const sizes = await store.sizes();
        const pgTop: string[][] = [];
        for (const v of probeVectors) pgTop.push((await store.similaritySearchVectorWithScore(v, 10)).map(([d]) => d.metadata.chunkId));
        const knn = await timeSearches((q) => embeddings.embedQueryVector(q).then((v) => store.similaritySearchVectorWithScore(v, 10)), probe);
        log(
          `  pgvector ${vectorType.padEnd(7)}: publish ${publishS.toFixed(1)} s; recall@10 against the embedded store ${recall(pgTop, hnswTop).toFixed(3)}, against exact ${recall(pgTop, exactTop).toFixed(3)}; ` +
            `chunks table ${mib(sizes.tableBytes)}, HNSW index ${mib(sizes.vectorIndexBytes)}, all tables ${mib(sizes.totalBytes)}; nearest 10 chunks (with the query embedding) p50 ${ms(percentile(knn, 50))} p95 ${ms(percentile(knn, 95))}`,
        );
      }
      const hnswKnn = await timeSearches(async (q) => index.hnsw.search(await embedder.embedQuery(q), 10), probe);
      log(`  embedded hnswlib: nearest 10 chunks (with the query embedding) p50 ${ms(percentile(hnswKnn, 50))} p95 ${ms(percentile(hnswKnn, 95))}`);
    } finally {
      await pool.end();
    }
    await embedder.dispose?.();

    await serveBoth(env, url, queries, log);
  } finally {
    pglite?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

/** Each store served by a fresh process: load, hybrid search, RSS. */
async function serveBoth(env: Env, url: string, queries: string[], log: (line: string) => void): Promise<void> {
  log("  Serving: a fresh process opens the index (createLitbot, preload) and runs hybrid search k=10 through the retriever; RSS is that process's:");
  for (const store of ['hnswlib', 'pgvector'] as const) {
    const r = await serveInChild({ ...env, VECTOR_STORE: store, DATABASE_URL: url }, queries);
    log(
      `    ${store.padEnd(8)}: load ${ms(r.loadMs)}, search p50 ${ms(percentile(r.times, 50))} p95 ${ms(percentile(r.times, 95))}, RSS ${mib(r.rssBefore)} before the index, ${mib(r.rss)} after the searches (peak ${mib(r.maxRss)}; V8 heap ${mib(r.heapUsed)}, array buffers ${mib(r.arrayBuffers)})`,
    );
  }
}

/** `--store-serve-only`: the serving figures of both stores, on what `npm run index` built and published. */
async function runServeOnly(options: StoreBenchOptions): Promise<void> {
  const { log } = options;
  const env = loadConfig();
  if (!env.DATABASE_URL) throw new Error('--store-serve-only needs DATABASE_URL: the database that npm run index (VECTOR_STORE=pgvector) published this index to.');
  const manifest = readManifest(env.INDEX_DIR);
  if (!manifest) throw new Error(`No index in ${env.INDEX_DIR}: run npm run index first.`);
  const pool = await connectDatabase(env.DATABASE_URL);
  let published: { corpusHash?: string } | undefined;
  try {
    published = (await currentGeneration(pool))?.manifest as { corpusHash?: string } | undefined;
  } finally {
    await pool.end();
  }
  if (published?.corpusHash !== manifest.corpusHash)
    throw new Error(`The database at ${describeDatabase(env.DATABASE_URL)} does not serve the index in ${env.INDEX_DIR}: run VECTOR_STORE=pgvector npm run index first.`);
  const questions = (JSON.parse(readFileSync('test/fixtures/questions.json', 'utf8')) as LabelledQuestion[]).map((q) => q.question);
  const queries = Array.from({ length: options.queries }, (_, i) => questions[i % questions.length]);
  log(
    `Stores side by side, serving only: ${manifest.corpusDir}, ${manifest.counts.papers} papers, ${manifest.counts.chunks} chunks, EMBEDDINGS=${manifest.embeddings.id}, ${queries.length} questions; Postgres at ${describeDatabase(env.DATABASE_URL)}`,
  );
  await serveBoth(env, env.DATABASE_URL, queries, log);
}

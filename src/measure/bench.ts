/**
 * `npm run bench`: index build time for the seeds (cold, and with nothing changed), chunks per
 * second, warm search latency, and the Discord bench (50 concurrent /ask through the fake
 * Discord). `--scale` runs the synthetic 10k/100k/1M vector bench instead.
 */
import { InvalidArgumentError } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/env.js';
import { intOption, program, runCli } from '../cli/run-cli.js';
import { createEmbedder } from '../indexing/embeddings/create-embedder.js';
import { updateIndex } from '../indexing/update-index.js';
import { createLitbot, indexBuildHooks } from '../litbot.js';
import { runColdStartBench } from './cold-start-bench.js';
import { runAddPaperBench } from './add-paper-bench.js';
import { percentile, runAnswerBench } from './answer-bench.js';
import { runCorpus20kBench } from './corpus-20k-bench.js';
import { runDiscordBench } from './discord-bench.js';
import type { LabelledQuestion } from './retrieval-eval.js';
import { parseSizes, runScaleBench } from './scale-bench.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

async function benchBuild(): Promise<{ indexDir: string; cacheDir: string; root: string }> {
  const env = loadConfig();
  const root = mkdtempSync(join(tmpdir(), 'litbot-bench-'));
  const settings = { ...env, INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache') };
  const quiet = () => {};
  out(`Index build (${env.CORPUS_DIR}, EMBEDDINGS=${env.EMBEDDINGS}, fresh cache in ${root})`);

  const embedder = createEmbedder(settings);
  let t = performance.now();
  const cold = await updateIndex({ env: settings, embedder, ...indexBuildHooks(settings, { log: quiet }), log: quiet });
  const coldS = (performance.now() - t) / 1000;
  if (cold.upToDate) throw new Error('a fresh folder cannot be up to date');
  const chunks = cold.manifest.counts.chunks;
  out(`  cold build:            ${coldS.toFixed(1)} s  (${cold.manifest.counts.papers} papers, ${chunks} chunks, ${(chunks / coldS).toFixed(1)} chunks/s end to end)`);

  t = performance.now();
  const unchanged = await updateIndex({ env: settings, embedder, ...indexBuildHooks(settings, { log: quiet }), log: quiet });
  out(`  unchanged, no-op check: ${((performance.now() - t) / 1000).toFixed(2)} s  (${unchanged.upToDate ? 'up to date, nothing rebuilt' : 'REBUILT'})`);

  t = performance.now();
  const forced = await updateIndex({ env: settings, embedder, force: true, ...indexBuildHooks(settings, { log: quiet }), log: quiet });
  const forcedS = (performance.now() - t) / 1000;
  if (!forced.upToDate)
    out(`  unchanged, --force:     ${forcedS.toFixed(2)} s  (${forced.manifest.embedded.computed} embedded, ${forced.manifest.embedded.reused} reused from cache)`);
  await embedder.dispose?.();
  return { indexDir: settings.INDEX_DIR, cacheDir: settings.CACHE_DIR, root };
}

async function benchSearch(indexDir: string, queries: string[]): Promise<void> {
  const env = loadConfig();
  const litbot = await createLitbot({ env, indexDir, log: () => {} });
  for (const q of queries.slice(0, 5)) await litbot.search(q);
  const total: number[] = [];
  const embed: number[] = [];
  const rest: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    const r = await litbot.search(q, { k: 10 });
    total.push(performance.now() - t);
    embed.push(r.timings.embedMs);
    rest.push(r.timings.totalMs - r.timings.embedMs);
  }
  out(`Search, warm, one process, ${queries.length} questions from test/fixtures/questions.json, k=10 (hybrid)`);
  out(`  total           p50 ${percentile(total, 50).toFixed(1)} ms   p95 ${percentile(total, 95).toFixed(1)} ms`);
  out(`  query embedding p50 ${percentile(embed, 50).toFixed(1)} ms   p95 ${percentile(embed, 95).toFixed(1)} ms`);
  out(`  index work      p50 ${percentile(rest, 50).toFixed(1)} ms   p95 ${percentile(rest, 95).toFixed(1)} ms  (HNSW + BM25 + fusion)`);
  await litbot.close();
}

await runCli(async () => {
  const cmd = program('bench', 'Measure index build, search latency and the Discord bot; --scale for the synthetic large-index bench.')
    .option('--scale', 'synthetic 512-d vectors at 10k, 100k and 1M: HNSW vs exact, clustering, title lookup')
    .option('--sizes <list>', 'sizes for --scale, e.g. 10000,100000', parseSizes)
    .option('--max-build-minutes <n>', 'with --scale: above this projected HNSW build time, build a prefix and extrapolate', intOption('max-build-minutes', 1, 600))
    .option('--m <n>', 'with --scale: HNSW links per node (M; default 24)', intOption('m', 4, 128))
    .option('--ef-construction <n>', 'with --scale: HNSW efConstruction (default 128)', intOption('ef-construction', 8, 2048))
    .option('--ef-search <list>', 'with --scale: efSearch values to try, e.g. 192,256,320', (v: string) => {
      const list = v.split(',').map((x) => Number(x.trim()));
      if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000))
        throw new InvalidArgumentError(`--ef-search wants whole numbers from 1 to 10000, e.g. 192,256,320 (got "${v}")`);
      return list;
    })
    .option('--data <kind>', 'with --scale: embedding-like (default; shaped like USE-lite vectors) or blobs (isotropic, a worst case)', (v: string) => {
      if (v !== 'embedding-like' && v !== 'blobs') throw new InvalidArgumentError('--data is embedding-like or blobs');
      return v;
    })
    .option('--reduce <dims>', 'with --scale: build the graph over this many principal components and re-rank its candidates exactly', intOption('reduce', 8, 511))
    .option('--shards <n>', 'with --scale: split the HNSW index into n shards, built and searched in parallel on worker threads', intOption('shards', 1, 64))
    .option('--graph-dir <dir>', 'with --scale: keep each built graph here and load it on the next run with the same settings')
    .option('--queries <n>', 'search queries to time', intOption('queries', 10, 10_000), 200)
    .option('--skip-discord', 'leave out the Discord bench')
    .option('--cold-start', 'only the cold-start figures: one-shot search, paper and ask, and the bot to ready, tsx against the compiled build')
    .option('--skip-cold-start', 'leave out the cold-start figures')
    .option('--store <store>', 'pgvector: the embedded index and Postgres + pgvector side by side (DATABASE_URL, else a PGlite child process)', (v: string) => {
      if (v !== 'pgvector') throw new InvalidArgumentError('--store takes pgvector (the embedded store is always measured beside it)');
      return v;
    })
    .option('--store-corpus <dir>', 'with --store: corpus folder (default: CORPUS_DIR)')
    .option(
      '--store-serve-only',
      'with --store: only the serving figures (load, search, RSS) of both stores, on the index in INDEX_DIR and the generation DATABASE_URL serves (published by npm run index)',
    )
    .option('--add-paper', 'only the add-a-paper bench: Confirm in /add to a question about the paper answered from the new index')
    .option('--skip-add-paper', 'leave out the add-a-paper bench')
    .option('--skip-answers', 'leave out the offline answer bench')
    .option('--corpus-20k', 'a generated 20,000-paper collection: build, peak memory, load, one-shot commands, 20 concurrent /ask')
    .option('--papers <n>', 'with --corpus-20k: papers to generate', intOption('papers', 100, 1_000_000))
    .option('--work-dir <dir>', 'with --corpus-20k: keep the corpus, embedding cache and index here, reused by the next run')
    .parse();
  const opts = cmd.opts<{
    scale?: boolean;
    sizes?: number[];
    maxBuildMinutes?: number;
    m?: number;
    efConstruction?: number;
    efSearch?: number[];
    data?: 'embedding-like' | 'blobs';
    graphDir?: string;
    reduce?: number;
    shards?: number;
    queries: number;
    skipDiscord?: boolean;
    coldStart?: boolean;
    skipColdStart?: boolean;
    skipAnswers?: boolean;
    addPaper?: boolean;
    skipAddPaper?: boolean;
    corpus20k?: boolean;
    papers?: number;
    workDir?: string;
    store?: string;
    storeCorpus?: string;
    storeServeOnly?: boolean;
  }>();
  if (opts.store) {
    const { runStoreBench } = await import('./store-bench.js');
    await runStoreBench({ corpusDir: opts.storeCorpus, queries: opts.queries, serveOnly: opts.storeServeOnly, log: out });
    return;
  }
  if (opts.corpus20k) {
    await runCorpus20kBench({ papers: opts.papers, workDir: opts.workDir, skipDiscord: opts.skipDiscord, log: out });
    return;
  }
  if (opts.scale) {
    await runScaleBench({
      sizes: opts.sizes,
      maxBuildMinutes: opts.maxBuildMinutes,
      m: opts.m,
      efConstruction: opts.efConstruction,
      efSearch: opts.efSearch,
      data: opts.data,
      graphDir: opts.graphDir,
      reduce: opts.reduce,
      shards: opts.shards,
      log: out,
    });
    return;
  }
  if (opts.coldStart) {
    const root = mkdtempSync(join(tmpdir(), 'litbot-bench-'));
    const env = { ...loadConfig(), INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache') };
    const embedder = createEmbedder(env);
    await updateIndex({ env, embedder, ...indexBuildHooks(env, { log: () => {} }), log: () => {} });
    await embedder.dispose?.();
    await runColdStartBench({ env, log: out });
    rmSync(root, { recursive: true, force: true });
    return;
  }
  if (opts.addPaper) {
    await runAddPaperBench({ log: out });
    return;
  }
  const { indexDir, cacheDir, root } = await benchBuild();
  const questions = (JSON.parse(readFileSync('test/fixtures/questions.json', 'utf8')) as LabelledQuestion[]).map((q) => q.question);
  const queries = Array.from({ length: opts.queries }, (_, i) => questions[i % questions.length]);
  out();
  await benchSearch(indexDir, queries);
  if (!opts.skipColdStart) {
    out();
    await runColdStartBench({ env: { ...loadConfig(), INDEX_DIR: indexDir, CACHE_DIR: cacheDir }, log: out });
  }
  if (!opts.skipAnswers) {
    out();
    await runAnswerBench(indexDir, ['test/fixtures/questions.json', 'test/fixtures/discord-questions.json'], out);
  }
  if (!opts.skipDiscord) {
    out();
    out('Discord (fake Discord on 127.0.0.1, real discord.js client, extractive backend)');
    const env = loadConfig();
    await runDiscordBench((line) => out(`  ${line}`), { env: { ...env, INDEX_DIR: indexDir } });
  }
  if (!opts.skipAddPaper) {
    out();
    await runAddPaperBench({ cacheDir, log: out });
  }
  rmSync(root, { recursive: true, force: true });
});

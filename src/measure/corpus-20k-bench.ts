/**
 * `npm run bench -- --corpus-20k`: Litbot over a generated 20,000-paper collection
 * (`synthetic-corpus.ts`). Each step runs the real command as a child process, so wall time and
 * peak memory are what a user sees: the index build, the no-op rebuild check, one-shot `search`,
 * `paper` and `ask`; then the index is loaded in this process as the bot loads it, and 20 users
 * send `/ask` at once to the real bot through the fake Discord.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Env } from '../config/env.js';
import { openIndex } from '../indexing/load-index.js';
import { createLitbot } from '../litbot.js';
import { runDiscordBench } from './discord-bench.js';
import { writeSyntheticCorpus } from './synthetic-corpus.js';
import { projectPath } from '../config/paths.js';

export interface Corpus20kBenchOptions {
  papers?: number;
  /** Keeps the corpus, embedding cache and index here between runs (a later run reuses the cache); default: a temporary folder, removed at the end. */
  workDir?: string;
  /** Concurrent `/ask` users in the Discord step. */
  users?: number;
  /** Skip the Discord step. */
  skipDiscord?: boolean;
  log: (line: string) => void;
}

interface ChildRun {
  code: number | null;
  wallMs: number;
  maxRssKB?: number;
  stdout: string;
  stderr: string;
}

/** The line `report-usage.ts` writes at the child's exit. */
const USAGE_MARKER = '#litbot-usage ';
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const script = (name: string) => fileURLToPath(new URL(`../cli/${name}${EXT}`, import.meta.url));
const usageHook = new URL(`./report-usage${EXT}`, import.meta.url).href;

/** Runs a CLI entry point in a fresh Node process (with this process's loader flags), timing it and reading its peak memory. */
function runCli(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...process.execArgv, '--import', usageHook, script(name), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const marker = stderr.split('\n').find((l) => l.startsWith(USAGE_MARKER));
      const usage = marker ? (JSON.parse(marker.slice(USAGE_MARKER.length)) as { maxRssKB: number }) : undefined;
      done({ code, wallMs, maxRssKB: usage?.maxRssKB, stdout, stderr: stderr.replace(/\n?#litbot-usage .*\n?/, '') });
    });
  });
}

/** The answerable labelled questions: what the timing loops ask. */
function labelledQuestions(): string[] {
  const file = projectPath('test', 'fixtures', 'questions.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { question: string; kind: string }[])
    .filter((q) => q.kind === 'answerable')
    .map((q) => q.question)
    .slice(0, 60);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (kb?: number) => (kb === undefined ? 'n/a' : `${Math.round(kb / 1024)} MB`);

function describe(run: ChildRun): string {
  return `${seconds(run.wallMs).padStart(8)} wall, peak RSS ${megabytes(run.maxRssKB)}${run.code === 0 ? '' : `  (exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' / ')})`}`;
}

export async function runCorpus20kBench(options: Corpus20kBenchOptions): Promise<void> {
  const { log } = options;
  const papers = options.papers ?? 20_000;
  const root = resolve(options.workDir ?? mkdtempSync(join(tmpdir(), 'litbot-20k-')));
  const corpusDir = join(root, 'corpus');
  const indexDir = join(root, 'index');
  const cacheDir = join(root, 'cache');
  mkdirSync(root, { recursive: true });
  try {
    const t = performance.now();
    const fresh = !existsSync(corpusDir) || readdirSync(corpusDir).length === 0;
    if (fresh) writeSyntheticCorpus(corpusDir, { papers });
    log(`Large collection: ${papers} synthetic papers in ${corpusDir} (${fresh ? `generated from the seeds in ${seconds(performance.now() - t)}` : 'kept from an earlier run'})`);

    const base = loadConfig();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, CACHE_DIR: cacheDir, LLM_PROVIDER: 'extractive', LOG_LEVEL: 'warn' };
    const build = await runCli('index-corpus', [], childEnv);
    const summary = /chunks:\s+(\d+)[\s\S]*embedded:\s+(.*)/.exec(build.stdout);
    log(
      `  npm run index (build):         ${describe(build)}${summary ? `  (${summary[1]} chunks; embedded ${summary[2].trim()})` : build.stdout.includes('up to date') ? '  (was up to date)' : ''}`,
    );
    if (build.code !== 0) return;
    log(`  npm run index (nothing new):   ${describe(await runCli('index-corpus', [], childEnv))}`);
    log(`  search "model merging":        ${describe(await runCli('search', ['model merging'], childEnv))}`);
    log(`  paper "lora dropout":          ${describe(await runCli('paper', ['lora dropout'], childEnv))}`);
    log(`  topics:                        ${describe(await runCli('topics', [], childEnv))}`);
    log(`  ask "how do models forget?":   ${describe(await runCli('ask', ['how do models forget?'], childEnv))}`);

    log(`  similar "lora dropout":        ${describe(await runCli('similar', ['lora dropout'], childEnv))}`);

    const env: Env = { ...base, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, CACHE_DIR: cacheDir, LLM_PROVIDER: 'extractive', LLM_MODEL: undefined };
    // The index alone: open it, then read and check every file (what the bot does before the model and the answerer start).
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const index = openIndex(indexDir, { id: env.EMBEDDINGS });
    const parts: string[] = [];
    // Part by part, as `loadAll()` reads them, with the CPU each takes (the machine's load inflates wall time most).
    for (const part of [
      'titles',
      'paperById',
      'chunks',
      'chunksOfPaper',
      'chunkVectors',
      'paperVectors',
      'similarVectors',
      'hnsw',
      'bm25Chunks',
      'bm25Papers',
      'topics',
      'answerTerms',
    ] as const) {
      const c = process.cpuUsage();
      void index[part];
      const used = process.cpuUsage(c);
      parts.push(`${part} ${Math.round((used.user + used.system) / 1000)}`);
    }
    index.loadAll();
    const cpu = process.cpuUsage(cpu0);
    log(`  index load (every file read and checked): ${seconds(performance.now() - t1)} wall, ${seconds((cpu.user + cpu.system) / 1000)} CPU (ms CPU: ${parts.join(', ')})`);
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const litbot = await createLitbot({ env, preload: true, log: () => {} });
    const loadedMs = performance.now() - t0;
    await litbot.search('model merging');
    await litbot.ask('How do language models forget earlier tasks?');
    log(
      `  bot start in this process (createLitbot: index, model and answerer): ${seconds(loadedMs)}, with a first search and answer ${seconds(performance.now() - t0)}; RSS +${Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20)} MB`,
    );
    const questions = labelledQuestions();
    const searchParts = { embed: 0, dense: 0, bm25: 0, total: 0 };
    for (const q of questions) {
      const { timings } = await litbot.search(q);
      searchParts.embed += timings.embedMs;
      searchParts.dense += timings.denseMs;
      searchParts.bm25 += timings.bm25Ms;
      searchParts.total += timings.totalMs;
    }
    const mean = (ms: number) => `${(ms / questions.length).toFixed(1)} ms`;
    log(
      `  search, one at a time (${questions.length} labelled questions): mean ${mean(searchParts.total)} (query embedding ${mean(searchParts.embed)}, HNSW ${mean(searchParts.dense)}, BM25 ${mean(searchParts.bm25)})`,
    );
    const c1 = process.cpuUsage();
    const t2 = performance.now();
    for (const q of questions) await litbot.ask(q);
    const askCpu = process.cpuUsage(c1);
    log(`  ask, one at a time (the same questions): mean ${mean(performance.now() - t2)} wall, ${mean((askCpu.user + askCpu.system) / 1000)} CPU per answer`);
    if (!options.skipDiscord) await runDiscordBench((line) => log(`  ${line}`), { env, litbot, users: options.users ?? 20 });
    await litbot.close();
  } finally {
    if (!options.workDir) rmSync(root, { recursive: true, force: true });
  }
}

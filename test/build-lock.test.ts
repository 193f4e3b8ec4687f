import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { IndexBuildRunningError } from '../src/errors.js';
import { acquireBuildLock, LOCK_FILE, STALE_MS } from '../src/indexing/build-lock.js';
import { startGeneration } from '../src/indexing/index-files.js';
import { loadIndex } from '../src/indexing/load-index.js';
import { updateIndex } from '../src/indexing/update-index.js';
import { indexBuildHooks } from '../src/litbot.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { testEnv } from './helpers/test-litbot.js';

/** Starts a CLI entry point as `npm run -s` would; resolves with its exit code and output when it ends. */
function start(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => stderr };
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const lockOf = (indexDir: string) => JSON.parse(readFileSync(join(indexDir, LOCK_FILE), 'utf8')) as { pid: number; host: string; token: string };

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'litbot-lock-'));
  const corpus = join(root, 'corpus');
  mkdirSync(corpus);
  const papers = loadCorpus('seeds').papers.slice(0, 6);
  writeFileSync(join(corpus, 'papers.jsonl'), papers.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
  return { root, corpus, indexDir: join(root, 'index'), cache: join(root, 'cache') };
}

describe('the build lock', () => {
  it('makes two builds in one process take turns: both succeed, the second finds the index up to date, and it loads', async () => {
    const ws = workspace();
    const env = testEnv({ CORPUS_DIR: ws.corpus, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cache });
    const logs: string[] = [];
    const build = () => updateIndex({ env, embedder: new HashingEmbedder(), ...indexBuildHooks(env), log: (l) => logs.push(l) });
    const [a, b] = await Promise.all([build(), build()]);
    expect([a.upToDate, b.upToDate].sort()).toEqual([false, true]);
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^Another build is running \\(pid ${process.pid}, started .*\\), waiting for it to finish\\.\\.\\.$`)));
    expect((await loadIndex(ws.indexDir, new HashingEmbedder())).papers).toHaveLength(6);
    expect(existsSync(join(ws.indexDir, LOCK_FILE))).toBe(false);
    expect(readdirSync(ws.indexDir).filter((f) => f.startsWith('.building'))).toEqual([]);
  });

  it('lets two npm run index processes started together both succeed, and the index loads', async () => {
    const ws = workspace();
    const env = { CORPUS_DIR: ws.corpus, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cache };
    // Twice, with --force so that both really build: before the lock this failed one time in three.
    let waited = 0;
    for (let round = 0; round < 2; round++) {
      const [a, b] = await Promise.all([start('src/cli/index-corpus.ts', ['--force'], env).done, start('src/cli/index-corpus.ts', ['--force'], env).done]);
      expect(a.stderr).not.toMatch(/ENOENT|Unexpected/);
      expect(b.stderr).not.toMatch(/ENOENT|Unexpected/);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(a.stdout).toMatch(/^Indexed 6 papers/);
      expect(b.stdout).toMatch(/^Indexed 6 papers/);
      waited += [a, b].filter((r) => /Another build is running \(pid \d+, started .*\), waiting/.test(r.stderr)).length;
    }
    // Started together, they overlap: one of them waited for the other.
    expect(waited).toBeGreaterThan(0);
    const index = await loadIndex(ws.indexDir, { id: 'use-lite' });
    index.loadAll();
    expect(index.papers).toHaveLength(6);
    expect(existsSync(join(ws.indexDir, LOCK_FILE))).toBe(false);
  }, 300_000);

  it('makes a second npm run index wait for a running build, or with --no-wait fail at once saying so', async () => {
    const ws = workspace();
    const env = { CORPUS_DIR: ws.corpus, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cache };
    const lock = await acquireBuildLock(ws.indexDir);
    try {
      const refused = await start('src/cli/index-corpus.ts', ['--no-wait'], env).done;
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().split('\n')).toEqual([
        `Another build of ${ws.indexDir} is running (pid ${process.pid}, started ${lock.holder.startedAt}). Wait for it to finish, or run the command again without --no-wait to wait for it.`,
      ]);
      const waiting = start('src/cli/index-corpus.ts', [], env);
      await until(() => /Another build is running \(pid \d+, started .*\), waiting for it to finish\.\.\./.test(waiting.output()), 'the waiting message');
      expect(existsSync(ws.indexDir) && readdirSync(ws.indexDir).some((f) => f.startsWith('.building'))).toBe(false);
      lock.release();
      const finished = await waiting.done;
      expect(finished.code).toBe(0);
      expect(finished.stdout).toMatch(/^Indexed 6 papers/);
    } finally {
      lock.release();
    }
  }, 300_000);

  it('is not left stuck by a builder killed with SIGKILL: the next build takes it over with a note', async () => {
    const ws = workspace();
    const env = { CORPUS_DIR: ws.corpus, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cache };
    const builder = start('src/cli/index-corpus.ts', [], env);
    const child: ChildProcess = builder.child;
    await until(() => existsSync(join(ws.indexDir, LOCK_FILE)), 'the builder to take the lock');
    expect(lockOf(ws.indexDir).pid).toBe(child.pid);
    child.kill('SIGKILL');
    expect((await builder.done).signal).toBe('SIGKILL');
    // The lock outlives its builder...
    expect(lockOf(ws.indexDir).pid).toBe(child.pid);
    // ...and the next build neither waits for it nor fails.
    const next = await start('src/cli/index-corpus.ts', ['--no-wait'], env).done;
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/^Indexed 6 papers/);
    expect(next.stderr).toContain(`Took over the build lock of ${ws.indexDir} from pid ${child.pid}, started `);
    expect(next.stderr).toContain(`its process (pid ${child.pid}) is gone.`);
    expect(existsSync(join(ws.indexDir, LOCK_FILE))).toBe(false);
    expect(readdirSync(ws.indexDir).filter((f) => f.startsWith('.building'))).toEqual([]);
  }, 300_000);

  it('takes over a lock from another machine only once its heartbeat is older than the bound', async () => {
    const indexDir = join(mkdtempSync(join(tmpdir(), 'litbot-lock-')), 'index');
    mkdirSync(indexDir);
    const file = join(indexDir, LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'another-machine', startedAt: '2026-01-01T00:00:00.000Z', token: 'elsewhere' }));
    await expect(acquireBuildLock(indexDir, { wait: false })).rejects.toThrow(IndexBuildRunningError);
    await expect(acquireBuildLock(indexDir, { wait: false })).rejects.toThrow(/is running \(pid 1 on another-machine, started 2026-01-01T00:00:00\.000Z\)/);
    const silentSince = new Date(Date.now() - STALE_MS - 60_000);
    utimesSync(file, silentSince, silentSince);
    const notes: string[] = [];
    const lock = await acquireBuildLock(indexDir, { wait: false, log: (l) => notes.push(l) });
    expect(notes).toEqual([expect.stringMatching(/^Took over the build lock .* from pid 1 on another-machine, .*: no heartbeat for 11 min\.$/)]);
    expect(lockOf(indexDir).token).toBe(lock.holder.token);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it.runIf(existsSync('/proc/self/stat'))('does not mistake a recycled process id for the builder', async () => {
    const indexDir = join(mkdtempSync(join(tmpdir(), 'litbot-lock-')), 'index');
    mkdirSync(indexDir);
    // This process is alive, but it is not the process that wrote the lock (its start time differs).
    writeFileSync(join(indexDir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', processStart: '1', token: 'old' }));
    const notes: string[] = [];
    const lock = await acquireBuildLock(indexDir, { wait: false, log: (l) => notes.push(l) });
    expect(notes).toEqual([expect.stringMatching(/that pid now belongs to another process\.$/)]);
    lock.release();
  });

  it("removes only its own or dead builders' unfinished folders", async () => {
    const indexDir = join(mkdtempSync(join(tmpdir(), 'litbot-lock-')), 'index');
    mkdirSync(indexDir);
    const alive = spawn('sleep', ['30']);
    try {
      const host = hostname()
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 24);
      const live = `.building-${Date.now().toString(36)}-${alive.pid}-${host}`;
      const dead = `.building-${Date.now().toString(36)}-999999999-${host}`;
      const elsewhere = `.building-${Date.now().toString(36)}-1-othermachine`;
      for (const name of [live, dead, elsewhere]) mkdirSync(join(indexDir, name));
      const mine = startGeneration(indexDir);
      expect(readdirSync(indexDir).sort()).toEqual([live, elsewhere, mine.name].sort());
    } finally {
      alive.kill();
    }
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../src/config/env.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { acquireBuildLock } from '../src/indexing/build-lock.js';
import { IndexBuilder, IndexBuildError } from '../src/indexing/index-builder.js';
import { readPointer } from '../src/indexing/index-files.js';
import { readManifest } from '../src/indexing/load-index.js';
import { waitUntil } from './helpers/discord-harness.js';

const seeds = loadCorpus('seeds').papers;
const line = (i: number) => `${JSON.stringify({ title: seeds[i].title, abstract: seeds[i].abstract })}\n`;

describe('IndexBuilder', () => {
  let root: string;
  let env: Env;
  const log: string[] = [];
  let builder: IndexBuilder;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'litbot-builder-'));
    mkdirSync(join(root, 'corpus'));
    writeFileSync(join(root, 'corpus', 'a.jsonl'), Array.from({ length: 12 }, (_, i) => line(40 + i)).join(''));
    env = loadConfig({ CORPUS_DIR: join(root, 'corpus'), INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), LOG_LEVEL: 'silent' });
    builder = new IndexBuilder(env, { log: (l) => log.push(l) });
  });
  afterAll(async () => {
    await builder.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('builds in its own process through the index command’s steps, and skips the work when nothing changed', async () => {
    const first = await builder.build();
    expect(first).toMatchObject({ upToDate: false, papers: 12, computed: expect.any(Number), reused: 0, skipped: [] });
    expect(first.generation).toBe(readPointer(env.INDEX_DIR));
    expect(builder.pid).not.toBe(process.pid);
    expect(log.some((l) => /^Found \d+ topics\.$/.test(l))).toBe(true);
    expect(readManifest(env.INDEX_DIR)?.counts.topics).toBeGreaterThan(0);
    expect(await builder.build()).toMatchObject({ upToDate: true, papers: 12 });
  }, 180_000);

  it('runs one more build after the running one, shared by everyone who asked meanwhile', async () => {
    writeFileSync(join(env.CORPUS_DIR, 'b.jsonl'), line(60));
    const running = builder.build();
    // Changed while the first build may already have read the corpus.
    writeFileSync(join(env.CORPUS_DIR, 'c.jsonl'), line(61));
    const [a, b] = [builder.build(), builder.build()];
    expect(a).toBe(b);
    expect(a).not.toBe(running);
    const order: string[] = [];
    await Promise.all([running.then(() => order.push('running')), a.then(() => order.push('following'))]);
    expect(order).toEqual(['running', 'following']);
    // Whichever build read c.jsonl, the index it leaves has both new papers.
    expect((await a).papers).toBe(14);
    expect(readManifest(env.INDEX_DIR)?.counts.papers).toBe(14);
  }, 180_000);

  it('waits for a build another process is running (npm run index), then builds', async () => {
    // This test process holds the lock, as a running `npm run index` would.
    const lock = await acquireBuildLock(env.INDEX_DIR);
    writeFileSync(join(env.CORPUS_DIR, 'e.jsonl'), line(63));
    const seen = log.length;
    let finished = false;
    const waiting = builder.build().finally(() => (finished = true));
    await waitUntil(() => log.slice(seen).some((l) => l.startsWith(`Another build is running (pid ${process.pid}`)), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    lock.release();
    expect(await waiting).toMatchObject({ upToDate: false, papers: 15 });
  }, 180_000);

  it('reports a build process killed mid-build, and the next build runs and leaves nothing behind', async () => {
    writeFileSync(join(env.CORPUS_DIR, 'd.jsonl'), line(62));
    rmSync(join(env.CORPUS_DIR, 'e.jsonl'));
    const serving = readPointer(env.INDEX_DIR);
    const seen = log.length;
    const killed = builder.build();
    await waitUntil(() => log.slice(seen).some((l) => l.startsWith('Split into')), 60_000);
    process.kill(builder.pid!, 'SIGKILL');
    await expect(killed).rejects.toBeInstanceOf(IndexBuildError);
    await expect(killed).rejects.toThrow(/build process stopped \(SIGKILL\)/);
    expect(readPointer(env.INDEX_DIR)).toBe(serving);

    const next = await builder.build();
    expect(next).toMatchObject({ upToDate: false, papers: 15 });
    expect(log.slice(seen).some((l) => /^Took over the build lock of .* its process \(pid \d+\) is gone\.$/.test(l))).toBe(true);
    expect(readPointer(env.INDEX_DIR)).toBe(next.generation);
    // No half-written generation and no build lock are left by the killed builder.
    expect(readdirSync(env.INDEX_DIR).filter((f) => f.startsWith('.building-') || f === '.build.lock')).toEqual([]);
    expect(existsSync(join(env.INDEX_DIR, next.generation!))).toBe(true);
  }, 180_000);
});

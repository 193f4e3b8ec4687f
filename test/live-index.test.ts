import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerResult } from '../src/answer/types.js';
import { loadConfig, type Env } from '../src/config/env.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { readPointer } from '../src/indexing/index-files.js';
import { LiveIndex, filePointer, type Generation, type LiveIndexEvent } from '../src/indexing/live-index.js';
import { createLitbot, type Litbot } from '../src/litbot.js';
import { LiveLitbot } from '../src/live-litbot.js';
import { startHarness, str, waitUntil, type Harness } from './helpers/discord-harness.js';

/** Points `CURRENT` at `name` the way a build does: a new file renamed over the old one. */
function point(dir: string, name: string): void {
  writeFileSync(join(dir, '.CURRENT.test'), `${name}\n`);
  renameSync(join(dir, '.CURRENT.test'), join(dir, 'CURRENT'));
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('LiveIndex', () => {
  it('keeps serving the old generation until the new one has loaded, and ignores one that fails to load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-live-'));
    try {
      point(dir, 'gen-a');
      const loads: ReturnType<typeof deferred<Generation<string>>>[] = [];
      const events: LiveIndexEvent[] = [];
      const live = new LiveIndex<string>({
        pointer: filePointer(dir),
        initial: { name: 'gen-a', value: 'A' },
        load: () => {
          const d = deferred<Generation<string>>();
          loads.push(d);
          return d.promise;
        },
        onEvent: (e) => events.push(e),
        debounceMs: 10,
        pollMs: 60_000,
      }).start();
      try {
        point(dir, 'gen-b');
        await waitUntil(() => loads.length === 1);
        // Loading: new requests still get the old generation.
        expect(live.current).toBe('A');
        loads[0].resolve({ name: 'gen-b', value: 'B' });
        await waitUntil(() => live.current === 'B');
        expect(events).toEqual([{ type: 'swapped', generation: 'gen-b', previous: 'gen-a', loadMs: expect.any(Number) }]);

        point(dir, 'gen-c');
        await waitUntil(() => loads.length === 2);
        loads[1].reject(new Error('hnsw.bin is damaged'));
        await waitUntil(() => events.length === 2);
        expect(events[1]).toMatchObject({ type: 'failed', generation: 'gen-c', serving: 'gen-b', message: 'hnsw.bin is damaged' });
        expect(live.current).toBe('B');
        // The broken one is not tried again until the pointer moves on.
        expect(await live.refresh()).toBe(false);
        expect(loads).toHaveLength(2);

        point(dir, 'gen-d');
        const served = live.refresh();
        await waitUntil(() => loads.length === 3);
        loads[2].resolve({ name: 'gen-d', value: 'D' });
        expect(await served).toBe(true);
        expect(live.current).toBe('D');
      } finally {
        live.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a new generation by polling when the folder cannot be watched', async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-live-'));
    const dir = join(root, 'index');
    try {
      const events: LiveIndexEvent[] = [];
      const live = new LiveIndex<string>({
        pointer: filePointer(dir),
        initial: { name: 'gen-a', value: 'A' },
        load: async () => ({ name: readPointer(dir)!, value: readPointer(dir)!.toUpperCase() }),
        onEvent: (e) => events.push(e),
        pollMs: 50,
      }).start();
      try {
        expect(events[0]).toMatchObject({ type: 'watch-unavailable', message: expect.stringMatching(/checking it every 50 ms instead/) });
        mkdirSync(dir);
        point(dir, 'gen-b');
        await waitUntil(() => live.current === 'GEN-B');
      } finally {
        live.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('LiveLitbot', () => {
  it('lets a question in flight finish on the generation it started with while the next one uses the new generation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-live-'));
    try {
      point(dir, 'gen-a');
      const held = deferred<void>();
      const stub = (name: string, wait?: Promise<void>): Litbot =>
        ({
          async ask(question: string) {
            await wait;
            return { answer: `${name}: ${question}` } as AnswerResult;
          },
          about: () => ({ generation: name }),
          close: async () => {},
        }) as unknown as Litbot;
      const litbot = new LiveLitbot({ name: 'gen-a', value: stub('gen-a', held.promise) }, async () => ({ name: 'gen-b', value: stub('gen-b') }), {
        pointer: filePointer(dir),
        pollMs: 60_000,
      });
      try {
        const inFlight = litbot.ask('first');
        point(dir, 'gen-b');
        expect(await litbot.refresh()).toBe(true);
        expect((await litbot.ask('second')).answer).toBe('gen-b: second');
        held.resolve();
        expect((await inFlight).answer).toBe('gen-a: first');
      } finally {
        await litbot.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a running bot and npm run index', () => {
  const seeds = loadCorpus('seeds').papers;
  const first = seeds.slice(20, 32);
  const later = seeds.find((p) => p.title.startsWith('Unlocking Continual Learning'))!;
  let root: string;
  let env: Env;
  let vars: Record<string, string>;
  let litbot: Litbot;
  let h: Harness;
  const lines: string[] = [];

  /** `npm run index` as a separate process, as an operator runs it beside the bot. */
  function runIndex(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index-corpus.ts'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars, LOG_LEVEL: 'silent' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'litbot-live-bot-'));
    const corpus = join(root, 'corpus');
    mkdirSync(corpus);
    writeFileSync(join(corpus, 'first.jsonl'), first.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
    vars = { CORPUS_DIR: corpus, INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), RATE_LIMIT_COUNT: '1000' };
    const built = await runIndex();
    expect(built.code, built.stderr).toBe(0);
    env = loadConfig({ ...vars, LOG_LEVEL: 'silent' });
    litbot = await createLitbot({ env, watch: true, log: (line) => lines.push(line) });
    h = await startHarness(litbot, vars);
  }, 300_000);

  afterAll(async () => {
    await h?.stop();
    await litbot?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function askAbout(question: string): Promise<string> {
    const i = h.fake.slash('ask', [str('question', question)]);
    const body = (await h.fake.editOf(i, (b) => !!b.embeds?.[0]?.description && !/writing/.test(b.embeds[0].footer?.text ?? ''), 60_000)).body;
    return body.embeds[0].description as string;
  }

  it('serves the index that npm run index builds beside it, without a restart', async () => {
    const question = 'How can language models keep learning new tasks without catastrophic forgetting, unlocking continual learning?';
    expect(await askAbout(question)).not.toContain(later.title);
    const before = litbot.about().generation;
    writeFileSync(join(env.CORPUS_DIR, 'later.jsonl'), `${JSON.stringify({ title: later.title, abstract: later.abstract, url: 'https://arxiv.org/abs/2406.17245' })}\n`);
    const built = await runIndex();
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/Indexed 13 papers/);
    await waitUntil(() => litbot.about().generation !== before, 30_000);
    expect(litbot.about().generation).toBe(readPointer(env.INDEX_DIR));
    expect(lines.some((l) => l.startsWith(`Serving the new index ${litbot.about().generation}`))).toBe(true);
    expect(await askAbout(question)).toContain(`${later.title}](https://arxiv.org/abs/2406.17245)`);
  }, 300_000);

  it('ignores a new generation that cannot be loaded and keeps answering from the one it serves', async () => {
    const serving = litbot.about().generation;
    const servingDir = join(env.INDEX_DIR, serving);
    // One built with another embedding model, one whose files were damaged after the build.
    const otherModel = join(env.INDEX_DIR, 'gen-othermodel');
    cpSync(servingDir, otherModel, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(otherModel, 'manifest.json'), 'utf8'));
    writeFileSync(join(otherModel, 'manifest.json'), JSON.stringify({ ...manifest, embeddings: { ...manifest.embeddings, id: 'transformers:some/other-model' } }));
    const damaged = join(env.INDEX_DIR, 'gen-damaged');
    cpSync(servingDir, damaged, { recursive: true });
    for (const file of readdirSync(damaged)) if (file !== 'manifest.json' && file.endsWith('.json')) writeFileSync(join(damaged, file), '{"cut short');

    for (const broken of ['gen-othermodel', 'gen-damaged']) {
      point(env.INDEX_DIR, broken);
      await waitUntil(() => lines.some((l) => l.startsWith(`The new index ${broken} could not be loaded; still serving ${serving}.`)), 30_000);
      expect(litbot.about().generation).toBe(serving);
      expect(await askAbout('What does MUSCLE do to keep model updates compatible?')).toContain('MUSCLE');
    }
    expect(lines.find((l) => l.startsWith('The new index gen-othermodel'))).toMatch(/EMBEDDINGS=transformers:some\/other-model/);

    // The next good build is served again.
    point(env.INDEX_DIR, serving);
    writeFileSync(join(env.CORPUS_DIR, 'more.jsonl'), `${JSON.stringify({ title: seeds[40].title, abstract: seeds[40].abstract })}\n`);
    const built = await runIndex();
    expect(built.code, built.stderr).toBe(0);
    await waitUntil(() => litbot.about().generation !== serving, 30_000);
    expect(litbot.paperById(seeds[40].id)?.title).toBe(seeds[40].title);
  }, 300_000);
});

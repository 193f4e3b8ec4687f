/**
 * A long-running bot on `VECTOR_STORE=pgvector` serves each generation `npm run index` publishes,
 * without a restart: PGlite over the wire, the real `pg` client, the real index build and publish.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../src/config/env.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import type { Paper } from '../src/corpus/paper.js';
import { buildIndex } from '../src/indexing/build-index.js';
import type { LiveIndexEvent } from '../src/indexing/live-index.js';
import { GenerationGoneError } from '../src/indexing/stores/pg-errors.js';
import { openPgIndex, publishToDatabase } from '../src/indexing/stores/pg-index.js';
import { connectDatabase } from '../src/indexing/stores/pgvector-store.js';
import { createLitbot, indexBuildHooks, type Litbot } from '../src/litbot.js';
import { startHarness, str, waitUntil } from './helpers/discord-harness.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { usePgliteServer } from './helpers/pglite.js';
import { testEnv } from './helpers/test-litbot.js';

const APOLOGY = 'Sorry, something went wrong while answering. It has been logged; please try again.';
const seeds = loadCorpus('seeds').papers;
const NEW = seeds.find((p) => p.title.startsWith('Unlocking Continual Learning'))!;
const FIRST = seeds.filter((p) => p !== NEW).slice(0, 30);
const QUESTION = NEW.title;

const pglite = usePgliteServer();
let root: string;
let env: Env;
let builds = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'litbot-pg-live-'));
  env = testEnv({ CACHE_DIR: join(root, 'cache'), INDEX_DIR: join(root, 'unused'), INDEX_POLL_MS: '100', VECTOR_STORE: 'pgvector' });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** What `npm run index` does: builds these papers into an index folder of its own and publishes it as the database's new current generation. */
async function publish(papers: Paper[], embedder = new HashingEmbedder(), built?: { indexDir?: string }): Promise<string> {
  const dir = join(root, `build-${++builds}`);
  mkdirSync(join(dir, 'corpus'), { recursive: true });
  writeFileSync(join(dir, 'corpus', 'papers.jsonl'), papers.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract, url: p.url })).join('\n') + '\n');
  const e = { ...env, DATABASE_URL: pglite.server.url };
  await buildIndex({ corpusDir: join(dir, 'corpus'), indexDir: join(dir, 'index'), cacheDir: env.CACHE_DIR, embedder, ...indexBuildHooks(e) });
  const published = await publishToDatabase(e, join(dir, 'index'), embedder, { force: true });
  if (built) built.indexDir = join(dir, 'index');
  return published!.generation!;
}

async function startBot(overrides: Partial<Env> = {}): Promise<{ bot: Litbot; events: LiveIndexEvent[] }> {
  const events: LiveIndexEvent[] = [];
  const bot = await createLitbot({
    env: { ...env, DATABASE_URL: pglite.server.url, ...overrides },
    embedder: new HashingEmbedder(),
    watch: true,
    onIndexEvent: (e) => events.push(e),
    log: () => {},
  });
  return { bot, events };
}

const topIds = async (bot: Litbot) => (await bot.search(QUESTION, { k: 5 })).hits.map((h) => h.paperId);

describe('a watching bot on Postgres', () => {
  it('serves a generation published beside it within a few polls, and keeps serving when a new one cannot be loaded or the database is away', async () => {
    const a = await publish(FIRST);
    const { bot, events } = await startBot();
    try {
      expect(bot.about().generation).toBe(a);
      expect(await topIds(bot)).not.toContain(NEW.id);
      expect(bot.paperById(NEW.id)).toBeUndefined();

      const b = await publish([...FIRST, NEW]);
      await waitUntil(() => bot.about().generation === b, 20_000);
      expect(events).toContainEqual({ type: 'swapped', generation: b, previous: a, loadMs: expect.any(Number) });
      expect((await topIds(bot))[0]).toBe(NEW.id);
      expect(bot.paperById(NEW.id)?.title).toBe(NEW.title);
      expect(bot.about().papers).toBe(FIRST.length + 1);

      // A generation built with another embedding model cannot serve this bot: it is logged and B stays.
      const c = await publish(FIRST, new HashingEmbedder(256, 'another-model'));
      await waitUntil(() => events.some((e) => e.type === 'failed'), 20_000);
      expect(events.find((e) => e.type === 'failed')).toMatchObject({ generation: c, serving: b, message: expect.stringContaining('configured test-hash') });
      expect(bot.about().generation).toBe(b);
      expect((await topIds(bot))[0]).toBe(NEW.id);

      // The database away: the poll says so once, B keeps its state, and the next generation is served once it is back.
      await pglite.server.stopListening();
      try {
        await waitUntil(() => events.some((e) => e.type === 'pointer-unreadable'), 20_000);
        await new Promise((r) => setTimeout(r, 500));
        expect(events.filter((e) => e.type === 'pointer-unreadable')).toHaveLength(1);
        expect(bot.about().generation).toBe(b);
      } finally {
        await pglite.server.listen();
      }
      const d = await publish(FIRST);
      await waitUntil(() => bot.about().generation === d, 20_000);
      expect(await topIds(bot)).not.toContain(NEW.id);
      expect(JSON.stringify(events.map((e) => ('message' in e ? e.message : '')))).not.toContain(pglite.server.url);
    } finally {
      await bot.close();
    }
  }, 180_000);

  it('answers with the standard private error when its generation was dropped, then serves the current one', async () => {
    const d = await publish([...FIRST, NEW]);
    // It polls once in ten minutes: only the dropped generation can make it look.
    const { bot, events } = await startBot({ INDEX_POLL_MS: 600_000 });
    const h = await startHarness(bot, { RATE_LIMIT_COUNT: '1000' });
    try {
      expect(bot.about().generation).toBe(d);
      expect((await topIds(bot))[0]).toBe(NEW.id);
      // Two more builds: the publisher keeps the current generation and the one before, and drops d.
      await publish(FIRST);
      const f = await publish(FIRST);
      await expect(bot.search(QUESTION)).rejects.toBeInstanceOf(GenerationGoneError);
      await waitUntil(() => bot.about().generation === f, 20_000);
      expect(events).toContainEqual(expect.objectContaining({ type: 'swapped', generation: f, previous: d }));
      expect(await topIds(bot)).not.toContain(NEW.id);

      // Through Discord: the question that meets the dropped generation gets the standard private error; the next is answered.
      const g = await publish([...FIRST, NEW]);
      await publish([...FIRST, NEW]);
      await publish([...FIRST, NEW]);
      expect(bot.about().generation).toBe(f);
      const failed = h.fake.slash('ask', [str('question', QUESTION)]);
      expect((await h.fake.followUpOf(failed, 0, 30_000)).body).toMatchObject({ content: APOLOGY, flags: 64 });
      expect(await h.handled(failed)).toMatchObject({ command: 'ask', outcome: 'error' });
      await waitUntil(() => bot.about().generation !== f, 20_000);
      expect(bot.about().generation).not.toBe(g);
      const again = h.fake.slash('ask', [str('question', QUESTION)]);
      expect(await h.handled(again, 30_000)).toMatchObject({ command: 'ask', outcome: 'ok' });
      expect(h.unhandled).toEqual([]);
    } finally {
      await h.stop();
      await bot.close();
    }
  }, 180_000);

  it('holds no vectors, and finds similar papers in the database as the embedded index does, also on a generation written before they were a vector column', async () => {
    const built: { indexDir?: string } = {};
    const generation = await publish([...FIRST, NEW], new HashingEmbedder(), built);
    const embedded = await createLitbot({ env: { ...env, VECTOR_STORE: 'hnswlib' }, embedder: new HashingEmbedder(), indexDir: built.indexDir, log: () => {} });
    const pool = await connectDatabase(pglite.server.url);
    const { bot } = await startBot();
    try {
      const { index } = await openPgIndex(pool, new HashingEmbedder());
      expect(() => index.paperVectors).toThrow(/kept in Postgres/);
      expect(() => index.similarVectors).toThrow(/kept in Postgres/);
      const same = async () => {
        for (const title of [NEW.title, FIRST[3].title]) {
          const want = (await embedded.similar(title, 5)).similar.map((x) => [x.paperId, x.score]);
          expect(want).toHaveLength(5);
          expect((await bot.similar(title, 5)).similar.map((x) => [x.paperId, x.score])).toEqual(want);
        }
      };
      await same();

      // The same generation as an earlier publisher wrote it: float32 bytes, no vector column, no mark in its record.
      const schema = `"litbot_${generation}"`;
      const { rows } = await pool.query<{ paper_id: string; v: string }>(`SELECT paper_id, v::text AS v FROM ${schema}.similar`);
      await pool.query(`ALTER TABLE ${schema}.similar ADD COLUMN vec bytea`);
      for (const r of rows)
        await pool.query(`UPDATE ${schema}.similar SET vec = $2 WHERE paper_id = $1`, [r.paper_id, Buffer.from(Float32Array.from(JSON.parse(r.v) as number[]).buffer)]);
      await pool.query(`ALTER TABLE ${schema}.similar DROP COLUMN v`);
      await pool.query(`UPDATE litbot.generations SET info = info - 'similar' WHERE name = $1`, [generation]);
      const { bot: legacy } = await startBot();
      try {
        expect(legacy.about().generation).toBe(generation);
        for (const title of [NEW.title, FIRST[3].title]) {
          expect((await legacy.similar(title, 5)).similar.map((x) => [x.paperId, x.score])).toEqual((await embedded.similar(title, 5)).similar.map((x) => [x.paperId, x.score]));
        }
      } finally {
        await legacy.close();
      }
    } finally {
      await bot.close();
      await embedded.close();
      await pool.end();
    }
  }, 180_000);
});

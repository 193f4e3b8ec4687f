import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLitbot, type Litbot } from '../src/litbot.js';
import { publishToDatabase } from '../src/indexing/stores/pg-index.js';
import { connectDatabase, currentGeneration } from '../src/indexing/stores/pgvector-store.js';
import { DatabaseUnavailableError, DatabaseUnreachableError, DatabaseUrlMissingError, VectorExtensionMissingError } from '../src/indexing/stores/pg-errors.js';
import { IndexMismatchError } from '../src/errors.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { createTestLitbot } from './helpers/test-litbot.js';
import { startPgliteServer, usePgliteServer } from './helpers/pglite.js';
import type { Env } from '../src/config/env.js';
import { startHarness, str } from './helpers/discord-harness.js';

const APOLOGY = 'Sorry, something went wrong while answering. It has been logged; please try again.';

const QUESTIONS = [
  'how do language models forget earlier tasks during continual fine-tuning?',
  'LoRA dropout to reduce overfitting',
  'machine unlearning of hazardous knowledge',
  'text-to-SQL with large language models',
  'reward models for RLHF preference data',
];

const pglite = usePgliteServer();
let embedded: Litbot;
let postgres: Litbot;
let env: Env;

beforeAll(async () => {
  const made = await createTestLitbot();
  embedded = made.litbot;
  env = { ...made.env, VECTOR_STORE: 'pgvector', DATABASE_URL: pglite.server.url };
  const published = await publishToDatabase(env, made.dir, new HashingEmbedder());
  expect(published?.published).toBe(true);
  postgres = await createLitbot({ env, embedder: new HashingEmbedder(), indexDir: made.dir, log: () => {} });
});

afterAll(async () => {
  await postgres?.close();
});

describe('the index in Postgres (VECTOR_STORE=pgvector)', () => {
  it('holds the seed index: the same papers, chunks and topics as the files', () => {
    const a = embedded.about();
    const b = postgres.about();
    expect(b).toMatchObject({ papers: a.papers, chunks: a.chunks, topics: a.topics, embeddings: a.embeddings, dimensions: a.dimensions });
    expect(postgres.topics().map((t) => t.label)).toEqual(embedded.topics().map((t) => t.label));
  });

  it('looks papers up and finds similar papers as the embedded index does', async () => {
    for (const title of ['lora dropout', 'MIGU', 'negatve prefrence']) {
      expect(postgres.paper(title).id).toBe(embedded.paper(title).id);
      // The same vectors to the bit (they are stored as float32 bytes), so the same neighbours with the same scores.
      expect((await postgres.similar(title, 5)).similar.map((s) => [s.paper.id, s.score])).toEqual((await embedded.similar(title, 5)).similar.map((s) => [s.paper.id, s.score]));
    }
    expect(postgres.lookup('unlearn', 5).map((m) => m.paperId)).toEqual(embedded.lookup('unlearn', 5).map((m) => m.paperId));
  });

  it('searches the seeds in the database and ranks them as the embedded index does', async () => {
    for (const q of QUESTIONS) {
      const [mine, theirs] = await Promise.all([postgres.search(q, { k: 10 }), embedded.search(q, { k: 10 })]);
      const ids = mine.hits.map((h) => h.paperId);
      const expected = theirs.hits.map((h) => h.paperId);
      expect(ids[0], q).toBe(expected[0]);
      // halfvec rounds cosines to about 1e-3, which may swap two near-tied papers further down.
      expect(ids.filter((id) => expected.includes(id)).length, q).toBeGreaterThanOrEqual(9);
      expect(mine.hits[0].passages.length).toBeGreaterThan(0);
      expect(mine.queryCoverage).toBeCloseTo(theirs.queryCoverage, 10);
    }
  });

  it('filters by date and source file in the database', async () => {
    const dated = await postgres.search('language models', { k: 20, from: '2024-01-01', to: '2024-06' });
    expect(dated.hits.length).toBeGreaterThan(0);
    for (const h of dated.hits) expect(h.paper.isoDate! >= '2024-01-01' && h.paper.isoDate!.slice(0, 7) <= '2024-06').toBe(true);
    const bySource = await postgres.search('language models', { k: 20, sourceFile: '000_' });
    expect(bySource.hits.length).toBeGreaterThan(0);
    for (const h of bySource.hits) expect(h.paper.sources.some((s) => s.file.includes('000_'))).toBe(true);
    expect(new Set(bySource.hits.map((h) => h.paperId))).toEqual(new Set((await embedded.search('language models', { k: 20, sourceFile: '000_' })).hits.map((h) => h.paperId)));
  });

  it('answers a question from the database, citing the papers the embedded index cites', async () => {
    const [mine, theirs] = await Promise.all([postgres.ask(QUESTIONS[0]), embedded.ask(QUESTIONS[0])]);
    expect(mine.refused).toBe(theirs.refused);
    expect(mine.citations.length).toBeGreaterThan(0);
    expect(mine.citations.map((c) => c.paperId)).toEqual(theirs.citations.map((c) => c.paperId));
  });

  it('fails a question while the database is away, and answers again once it is back', async () => {
    await postgres.search(QUESTIONS[1]);
    await pglite.server.stopListening();
    try {
      await expect(postgres.search(QUESTIONS[1])).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(postgres.ask(QUESTIONS[2])).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await pglite.server.listen();
    }
    const again = await postgres.search(QUESTIONS[1]);
    expect(again.hits.map((h) => h.paperId)[0]).toBe((await embedded.search(QUESTIONS[1])).hits[0].paperId);
  });
});

describe('a Postgres server without pg_textsearch', () => {
  it('finds lexical candidates with ts_rank instead, and still ranks as the embedded index does', async () => {
    const plain = await startPgliteServer({ textsearch: false });
    let bot: Litbot | undefined;
    try {
      const plainEnv = { ...env, DATABASE_URL: plain.url };
      await publishToDatabase(plainEnv, (await createTestLitbot()).dir, new HashingEmbedder());
      const pool = await connectDatabase(plain.url);
      expect((await currentGeneration(pool))?.info.lexical).toBe('ts_rank');
      await pool.end();
      bot = await createLitbot({ env: plainEnv, embedder: new HashingEmbedder(), log: () => {} });
      for (const q of QUESTIONS.slice(0, 3)) {
        const [mine, theirs] = await Promise.all([bot.search(q, { k: 10, mode: 'bm25' }), embedded.search(q, { k: 10, mode: 'bm25' })]);
        expect(
          mine.hits.map((h) => h.paperId),
          q,
        ).toEqual(theirs.hits.map((h) => h.paperId));
        mine.hits.forEach((h, i) => expect(h.bm25, q).toBeCloseTo(theirs.hits[i].bm25!, 9));
      }
    } finally {
      await bot?.close();
      await plain.close();
    }
  });
});

describe('the Discord bot on Postgres', () => {
  it('answers /ask with the standard private error while the database is away, and answers again once it is back', async () => {
    const h = await startHarness(postgres, { RATE_LIMIT_COUNT: '1000' });
    try {
      const ok = h.fake.slash('ask', [str('question', QUESTIONS[0])]);
      expect((await h.fake.callbackOf(ok)).body).toEqual({ type: 5, data: { flags: 0 } });
      expect(await h.handled(ok, 30_000)).toMatchObject({ command: 'ask', outcome: 'ok' });

      await pglite.server.stopListening();
      let failed;
      try {
        failed = h.fake.slash('ask', [str('question', QUESTIONS[2])]);
        const followUp = await h.fake.followUpOf(failed, 0, 30_000);
        expect(followUp.body).toMatchObject({ content: APOLOGY, flags: 64 });
        expect(await h.handled(failed)).toMatchObject({ command: 'ask', outcome: 'error' });
      } finally {
        await pglite.server.listen();
      }
      const logged = JSON.stringify(h.logs);
      expect(logged).not.toContain(pglite.server.url);

      const again = h.fake.slash('ask', [str('question', QUESTIONS[2])]);
      expect(await h.handled(again, 30_000)).toMatchObject({ command: 'ask', outcome: 'ok' });
      const edit = await h.fake.editOf(again);
      expect(JSON.stringify(edit.body)).not.toContain(APOLOGY);
      expect(h.unhandled).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

describe('connecting to Postgres', () => {
  it('asks for DATABASE_URL when VECTOR_STORE=pgvector has none', async () => {
    const error = await createLitbot({ env: { ...env, DATABASE_URL: undefined }, embedder: new HashingEmbedder(), log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUrlMissingError);
    expect((error as Error).message).toBe('VECTOR_STORE=pgvector needs DATABASE_URL (postgres://user:password@host:5432/db): set it in .env, or set VECTOR_STORE=hnswlib.');
  });

  it('names DATABASE_URL and the fix when no server answers, without the password', async () => {
    const closed = await startPort();
    const error = await createLitbot({
      env: { ...env, DATABASE_URL: `postgres://litbot:s3cret-pass@127.0.0.1:${closed}/litbot` },
      embedder: new HashingEmbedder(),
      log: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:' + closed);
    expect(message).toContain('connection refused');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('npm run pg:dev');
    expect(message).not.toContain('s3cret-pass');
  });

  it('says how to install pgvector when the database does not have it', async () => {
    const bare = await startPgliteServer({ vector: false });
    try {
      const error = await createLitbot({ env: { ...env, DATABASE_URL: bare.url }, embedder: new HashingEmbedder(), log: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VectorExtensionMissingError);
      expect((error as Error).message).toMatch(/does not have the pgvector extension.*CREATE EXTENSION vector/);
    } finally {
      await bare.close();
    }
  });

  it('says to rebuild when the database holds an index of another embedding model', async () => {
    const error = await createLitbot({ env, embedder: new HashingEmbedder(256, 'another-model'), log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toContain('built with EMBEDDINGS=test-hash, configured another-model');
    expect((error as Error).message).toContain('npm run index -- --force');
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function startPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `/add` and `/remove` with `VECTOR_STORE=pgvector`: the editor's build in the bot's build process
 * (real child process, real USE-lite embedder) publishes the new generation to Postgres (PGlite
 * over the wire), and the change resolves once the watching bot serves that generation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../src/config/env.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { CollectionEditor } from '../src/discord/collection-editor.js';
import { createEmbedder } from '../src/indexing/embeddings/create-embedder.js';
import { publishToDatabase } from '../src/indexing/stores/pg-index.js';
import { connectDatabase, currentGeneration } from '../src/indexing/stores/pgvector-store.js';
import { updateIndex } from '../src/indexing/update-index.js';
import { createLitbot, indexBuildHooks, type Litbot } from '../src/litbot.js';
import { usePgliteServer } from './helpers/pglite.js';

const seeds = loadCorpus('seeds').papers;
const SHIPPED = seeds.slice(3, 17);
const NEW = seeds.find((p) => p.title.startsWith('Unlocking Continual Learning'))!;

const pglite = usePgliteServer();
let root: string;
let env: Env;
let litbot: Litbot;
let editor: CollectionEditor;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'litbot-pg-collection-'));
  const corpus = join(root, 'corpus');
  mkdirSync(corpus);
  writeFileSync(join(corpus, 'shipped.jsonl'), SHIPPED.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
  env = loadConfig({
    CORPUS_DIR: corpus,
    INDEX_DIR: join(root, 'index'),
    CACHE_DIR: join(root, 'cache'),
    VECTOR_STORE: 'pgvector',
    DATABASE_URL: pglite.server.url,
    // Ten minutes: only the editor's refresh can make the bot look at the database in this test.
    INDEX_POLL_MS: '600000',
    LOG_LEVEL: 'silent',
  });
  const embedder = createEmbedder(env);
  await updateIndex({ env, embedder, ...indexBuildHooks(env) });
  await publishToDatabase(env, env.INDEX_DIR, embedder);
  litbot = await createLitbot({ env, embedder, watch: true, log: () => {} });
  editor = new CollectionEditor({ env, litbot, logger: pino({ level: 'silent' }) });
}, 300_000);

afterAll(async () => {
  await editor?.close();
  await litbot?.close();
  rmSync(root, { recursive: true, force: true });
});

async function databaseGeneration(): Promise<string | undefined> {
  const pool = await connectDatabase(env.DATABASE_URL!);
  try {
    return (await currentGeneration(pool))?.info.name;
  } finally {
    await pool.end();
  }
}

describe('/add and /remove on Postgres', () => {
  it('publishes the rebuilt index to the database and resolves once the bot serves it, for an addition and for its removal', async () => {
    const before = litbot.about().generation;
    expect(before).toBe(await databaseGeneration());
    const question = 'unlocking continual learning abilities in language models';
    expect((await litbot.search(question, { k: 3 })).hits.map((h) => h.paper.title)).not.toContain(NEW.title);

    const added = await editor.add(editor.fromForm({ title: NEW.title, abstract: NEW.abstract, link: 'https://arxiv.org/abs/2406.17245' }), { id: '1', name: 'tester' });
    expect(added.paper.title).toBe(NEW.title);
    expect(added.build.generation).toMatch(/^g_/);
    expect(added.build.generation).toBe(await databaseGeneration());
    expect(litbot.about().generation).toBe(added.build.generation);
    expect(litbot.about().papers).toBe(SHIPPED.length + 1);
    expect((await litbot.search(question, { k: 3 })).hits[0].paper.title).toBe(NEW.title);

    const { removed, stillListed } = await editor.remove(added.paper.id);
    expect(removed.title).toBe(NEW.title);
    expect(stillListed).toBeUndefined();
    const after = await databaseGeneration();
    expect(after).not.toBe(added.build.generation);
    expect(litbot.about().generation).toBe(after);
    expect(litbot.paperById(added.paper.id)).toBeUndefined();
    expect((await litbot.search(question, { k: 3 })).hits.map((h) => h.paper.title)).not.toContain(NEW.title);
  }, 300_000);
});

/**
 * The real Litbot over the real seed corpus, for tests: the index is built once per test process
 * into a temporary folder with the hashing embedder (about a second), then loaded.
 */
import { mkdtempSync } from 'node:fs';
import type { Logger } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../src/config/env.js';
import { buildIndex } from '../../src/indexing/build-index.js';
import { loadIndex, type LitIndex } from '../../src/indexing/load-index.js';
import { createLitbot, indexBuildHooks, type Litbot } from '../../src/litbot.js';
import { HashingEmbedder } from './hashing-embedder.js';

let built: Promise<{ dir: string; env: Env }> | undefined;

/** Test settings: the seeds, a temp index and cache, the offline answerer, quiet logs. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadConfig({ CORPUS_DIR: 'seeds', LLM_PROVIDER: 'extractive', LOG_LEVEL: 'silent', ...overrides });
}

async function buildOnce(): Promise<{ dir: string; env: Env }> {
  const root = mkdtempSync(join(tmpdir(), 'litbot-test-'));
  const env = testEnv({ INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), FEEDBACK_FILE: join(root, 'feedback.jsonl') });
  await buildIndex({ corpusDir: 'seeds', indexDir: env.INDEX_DIR, cacheDir: env.CACHE_DIR, embedder: new HashingEmbedder(), ...indexBuildHooks(env) });
  return { dir: env.INDEX_DIR, env };
}

/** `logger` receives the answerer's lines (LLM failures); by default they go nowhere (`LOG_LEVEL` is silent). */
export async function createTestLitbot(
  overrides: Record<string, string> = {},
  options: { logger?: Logger } = {},
): Promise<{ litbot: Litbot; index: LitIndex; dir: string; env: Env }> {
  built ??= buildOnce();
  const { dir, env: base } = await built;
  const env = { ...base, ...testEnv({ INDEX_DIR: base.INDEX_DIR, CACHE_DIR: base.CACHE_DIR, FEEDBACK_FILE: base.FEEDBACK_FILE, ...overrides }) };
  const embedder = new HashingEmbedder();
  const litbot = await createLitbot({ env, embedder, indexDir: dir, log: () => {}, ...(options.logger ? { logger: options.logger } : {}) });
  return { litbot, index: await loadIndex(dir, embedder), dir, env };
}

/** The real Litbot over another corpus folder, its index built afresh into a temporary folder. */
export async function createCorpusLitbot(corpusDir: string, overrides: Record<string, string> = {}): Promise<{ litbot: Litbot; env: Env }> {
  const root = mkdtempSync(join(tmpdir(), 'litbot-corpus-'));
  const env = testEnv({ CORPUS_DIR: corpusDir, INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), FEEDBACK_FILE: join(root, 'feedback.jsonl'), ...overrides });
  await buildIndex({ corpusDir, indexDir: env.INDEX_DIR, cacheDir: env.CACHE_DIR, embedder: new HashingEmbedder(), ...indexBuildHooks(env) });
  const litbot = await createLitbot({ env, embedder: new HashingEmbedder(), indexDir: env.INDEX_DIR, log: () => {} });
  return { litbot, env };
}

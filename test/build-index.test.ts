import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../src/indexing/build-index.js';
import { checkIndex, loadIndex } from '../src/indexing/load-index.js';
import { updateIndex } from '../src/indexing/update-index.js';
import { IndexMismatchError, IndexNotBuiltError } from '../src/errors.js';
import { INDEX_FORMAT_VERSION } from '../src/indexing/manifest.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { testEnv } from './helpers/test-litbot.js';
import { arxivLinkCache, indexBuildHooks } from '../src/litbot.js';
import { normalizeTitle } from '../src/corpus/normalize.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'litbot-build-'));
  const corpusDir = join(root, 'corpus');
  cpSync('seeds', corpusDir, { recursive: true });
  return { root, corpusDir, indexDir: join(root, 'index'), cacheDir: join(root, 'cache') };
}

const NEW_PAPER = JSON.stringify({
  title: 'Gradient Gardening for Forgetful Adapters',
  abstract:
    'Adapters forget earlier tasks when trained on new ones. We propose gradient gardening, which prunes conflicting gradient directions before each update. On five continual learning benchmarks it halves forgetting. The method adds no memory for old data.',
  url: 'https://example.org/gardening',
});

describe('building the index', () => {
  it('builds a loadable index whose manifest records model, chunking, corpus hash and counts', async () => {
    const ws = workspace();
    const embedder = new HashingEmbedder();
    const { manifest } = await buildIndex({ ...ws, embedder });
    expect(manifest).toMatchObject({
      formatVersion: INDEX_FORMAT_VERSION,
      embeddings: { id: 'test-hash', dimensions: 256 },
      chunking: { maxTokens: 128, overlapSentences: 1 },
      counts: { files: 4, entries: 160, papers: 158, duplicatesMerged: 2, invalidSkipped: 0 },
      embedded: { reused: 0 },
    });
    expect(manifest.corpusHash).toMatch(/^[0-9a-f]{64}$/);
    const index = await loadIndex(ws.indexDir, embedder);
    expect(index.papers).toHaveLength(158);
    expect(index.chunks).toHaveLength(manifest.counts.chunks);
    expect(index.chunkVectors).toHaveLength(manifest.counts.chunks);
    expect(index.paperVectors.size).toBe(158);
    const norm = Math.hypot(...index.paperVectors.get(index.papers[0].id)!);
    expect(norm).toBeCloseTo(1, 5);
  });

  it('says which command builds a missing index', () => {
    expect(() => checkIndex(join(tmpdir(), 'litbot-none'), new HashingEmbedder())).toThrow(IndexNotBuiltError);
    expect(() => checkIndex(join(tmpdir(), 'litbot-none'), new HashingEmbedder())).toThrow(/npm run index/);
  });

  it('refuses an index built with another model or dimensions, naming the fix', async () => {
    const ws = workspace();
    await buildIndex({ ...ws, embedder: new HashingEmbedder() });
    const other = new HashingEmbedder(256, 'other-model');
    await expect(loadIndex(ws.indexDir, other)).rejects.toThrow(IndexMismatchError);
    await expect(loadIndex(ws.indexDir, other)).rejects.toThrow(/EMBEDDINGS=test-hash, configured other-model.*npm run index -- --force/);
    await expect(loadIndex(ws.indexDir, new HashingEmbedder(128))).rejects.toThrow(/256-dimensional vectors, the model gives 128/);
  });

  it('keeps the previous index when a rebuild fails midway, and cleans up after it', async () => {
    const ws = workspace();
    await buildIndex({ ...ws, embedder: new HashingEmbedder() });
    const before = readFileSync(join(ws.indexDir, 'CURRENT'), 'utf8');
    writeFileSync(join(ws.corpusDir, 'new.jsonl'), `${NEW_PAPER}\n`);
    const failing = new HashingEmbedder();
    failing.failAfter = 0;
    // A fresh cache makes the rebuild embed everything, and the embedder dies on the first batch.
    await expect(buildIndex({ ...ws, cacheDir: join(ws.root, 'cache2'), embedder: failing })).rejects.toThrow(/on purpose/);
    expect(readFileSync(join(ws.indexDir, 'CURRENT'), 'utf8')).toBe(before);
    const index = await loadIndex(ws.indexDir, new HashingEmbedder());
    expect(index.papers).toHaveLength(158);

    // A crash after the new generation was partly written leaves a .building folder; the next build removes it.
    // The generation it replaces stays until the build after (a command may still be reading it).
    writeFileSync(join(ws.indexDir, '.building-crashed'), '');
    await buildIndex({ ...ws, embedder: new HashingEmbedder() });
    const entries = () => readdirSync(ws.indexDir).filter((f) => f.startsWith('.building') || f.startsWith('gen-'));
    expect(entries()).toEqual([before.trim(), readFileSync(join(ws.indexDir, 'CURRENT'), 'utf8').trim()].sort());
    await buildIndex({ ...ws, embedder: new HashingEmbedder() });
    expect(entries()).toHaveLength(2);
    expect(entries()).not.toContain(before.trim());
    expect((await loadIndex(ws.indexDir, new HashingEmbedder())).papers).toHaveLength(159);
  });

  it('re-indexes after adding a paper by embedding only its new chunks', async () => {
    const ws = workspace();
    const first = new HashingEmbedder();
    const { manifest: m1 } = await buildIndex({ ...ws, embedder: first });
    expect(first.embedded).toBe(m1.counts.chunks);

    writeFileSync(join(ws.corpusDir, 'new.jsonl'), `${NEW_PAPER}\n`);
    const second = new HashingEmbedder();
    const { manifest: m2 } = await buildIndex({ ...ws, embedder: second });
    const added = m2.counts.chunks - m1.counts.chunks;
    expect(added).toBeGreaterThan(0);
    expect(second.embedded).toBe(added);
    expect(m2.embedded).toEqual({ computed: added, reused: m1.counts.chunks });
  });

  it('skips the build when nothing changed, unless forced', async () => {
    const ws = workspace();
    const env = testEnv({ CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cacheDir });
    const first = await updateIndex({ env, embedder: new HashingEmbedder() });
    expect(first.upToDate).toBe(false);
    const again = await updateIndex({ env, embedder: new HashingEmbedder() });
    expect(again.upToDate).toBe(true);
    const forced = await updateIndex({ env, embedder: new HashingEmbedder(), force: true });
    expect(forced.upToDate).toBe(false);
    writeFileSync(join(ws.corpusDir, 'new.jsonl'), `${NEW_PAPER}\n`);
    expect((await updateIndex({ env, embedder: new HashingEmbedder() })).upToDate).toBe(false);
    expect(existsSync(join(ws.indexDir, 'README.md'))).toBe(true);
  });

  it('keeps arXiv links found by an earlier --resolve-links in every later build, without going online', async () => {
    const ws = workspace();
    const env = testEnv({ CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cacheDir });
    const title = 'Unlocking Continual Learning Abilities in Language Models';
    mkdirSync(dirname(arxivLinkCache(env)), { recursive: true });
    writeFileSync(arxivLinkCache(env), JSON.stringify({ [normalizeTitle(title)]: { arxivId: '2406.17245', checkedAt: '2026-01-01' } }));
    const unreachable = async () => {
      throw new Error('no network in this test');
    };
    const originalFetch = globalThis.fetch;
    globalThis.fetch = unreachable as typeof fetch;
    try {
      const result = await updateIndex({ env, embedder: new HashingEmbedder(), ...indexBuildHooks(env) });
      expect(result.upToDate).toBe(false);
      const index = await loadIndex(ws.indexDir, new HashingEmbedder());
      expect(index.papers.find((p) => p.title === title)).toMatchObject({ url: 'https://arxiv.org/abs/2406.17245', urlIsDirect: true });
      expect(index.papers.filter((p) => p.urlIsDirect)).toHaveLength(1);
      expect((await updateIndex({ env, embedder: new HashingEmbedder(), ...indexBuildHooks(env) })).upToDate).toBe(true);
    } finally {
      globalThis.fetch = originalFetch;
    }
  });
});

describe('loading an index whose corpus has changed', () => {
  it('says so and names the command that catches up, but still serves the index', async () => {
    const { createLitbot } = await import('../src/litbot.js');
    const ws = workspace();
    const env = testEnv({ CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir, CACHE_DIR: ws.cacheDir });
    await updateIndex({ env, embedder: new HashingEmbedder(), ...indexBuildHooks(env) });
    const quiet: string[] = [];
    await (await createLitbot({ env, embedder: new HashingEmbedder(), log: (l) => quiet.push(l) })).close();
    expect(quiet).toEqual([]);

    writeFileSync(join(ws.corpusDir, 'new.jsonl'), `${NEW_PAPER}\n`);
    const lines: string[] = [];
    const litbot = await createLitbot({ env, embedder: new HashingEmbedder(), log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringMatching(/changed since the index was built \(1 file added: new\.jsonl\); run npm run index/)]);
    expect(litbot.about().papers).toBe(158);
    await litbot.close();
  });
});

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { IndexDamagedError, IndexMismatchError } from '../src/errors.js';
import { buildIndex } from '../src/indexing/build-index.js';
import { fingerprintChanges, takeFingerprint } from '../src/indexing/corpus-fingerprint.js';
import type { Embedder } from '../src/indexing/embeddings/embedder.js';
import { FILES } from '../src/indexing/index-files.js';
import { loadIndex, readManifest } from '../src/indexing/load-index.js';
import { updateIndex } from '../src/indexing/update-index.js';
import { createLitbot, indexBuildHooks } from '../src/litbot.js';
import { HashingEmbedder } from './helpers/hashing-embedder.js';
import { testEnv } from './helpers/test-litbot.js';

/** The ways a file gets damaged: cut short, or overwritten with the same number of bytes of something else. */
function truncate(file: string): void {
  truncateSync(file, Math.floor(readFileSync(file).length / 2));
}
function garble(file: string): void {
  const data = readFileSync(file);
  // Same size, different bytes in the middle: only the checksum can tell.
  const at = Math.floor(data.length / 2);
  for (let i = at; i < Math.min(data.length, at + 64); i++) data[i] = data[i] ^ 0x5a;
  writeFileSync(file, data);
}

const current = (indexDir: string) => join(indexDir, readFileSync(join(indexDir, 'CURRENT'), 'utf8').trim());

describe('a damaged index, through the loader', () => {
  let template: string;
  const env = (indexDir: string) => testEnv({ CORPUS_DIR: 'seeds', INDEX_DIR: indexDir, CACHE_DIR: join(template, 'cache') });

  beforeAll(async () => {
    template = mkdtempSync(join(tmpdir(), 'litbot-damage-'));
    const e = env(join(template, 'index'));
    await buildIndex({ corpusDir: 'seeds', indexDir: e.INDEX_DIR, cacheDir: e.CACHE_DIR, embedder: new HashingEmbedder(), ...indexBuildHooks(e) });
  });

  /** A copy of the built index to damage. */
  function copy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-damaged-'));
    cpSync(join(template, 'index'), join(dir, 'index'), { recursive: true });
    return join(dir, 'index');
  }

  const cases: [string, string, (file: string) => void][] = [
    ['a cut JSON file', FILES.titles, truncate],
    ['a JSON file overwritten in place', FILES.topics, garble],
    ['a cut papers file', FILES.papers, truncate],
    ['a cut HNSW graph', FILES.hnsw, truncate],
    ['an HNSW graph overwritten in place', FILES.hnsw, garble],
    ['chunk vectors overwritten in place', FILES.chunkVectors, garble],
    ['paper vectors cut short', FILES.paperVectors, truncate],
    ['a BM25 file overwritten in place', FILES.bm25Chunks, garble],
    ['the chunks file overwritten in place', FILES.chunks, garble],
  ];

  it.each(cases)('%s is reported by name with the fix, not parsed', async (_what, name, damage) => {
    const indexDir = copy();
    const file = join(current(indexDir), name);
    damage(file);
    const litbot = createLitbot({ env: env(indexDir), embedder: new HashingEmbedder(), preload: true, log: () => {} });
    await expect(litbot).rejects.toThrow(IndexDamagedError);
    const error = (await litbot.catch((e: unknown) => e)) as IndexDamagedError;
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/Rebuild the index with: npm run index -- --force$/);
  });

  it('a damaged file is reported by the first command that reads it, and a cut one by every command', async () => {
    const indexDir = copy();
    garble(join(current(indexDir), FILES.hnsw));
    const litbot = await createLitbot({ env: env(indexDir), embedder: new HashingEmbedder(), log: () => {} });
    // `paper` never reads the graph; `search` does, and stops with the file's name.
    expect(litbot.paper('negative preference optimization').title).toMatch(/^Negative Preference Optimization/);
    await expect(litbot.search('unlearning')).rejects.toThrow(/hnsw\.bin is damaged \(its checksum does not match/);
    truncate(join(current(indexDir), FILES.hnsw));
    await expect(createLitbot({ env: env(indexDir), embedder: new HashingEmbedder(), log: () => {} })).rejects.toThrow(/hnsw\.bin is damaged \(\d+ bytes, the manifest says \d+/);
  });

  it('a manifest that is not JSON names itself and the fix', async () => {
    const indexDir = copy();
    const file = join(current(indexDir), FILES.manifest);
    truncate(file);
    await expect(loadIndex(indexDir, new HashingEmbedder())).rejects.toThrow(`The index file ${file} is damaged (not valid JSON`);
    await expect(loadIndex(indexDir, new HashingEmbedder())).rejects.toThrow(/npm run index -- --force/);
  });

  it.each([
    ['a relative path out', '../elsewhere'],
    ['an absolute path', '/tmp'],
    ['a path with a folder in it', 'gen-x/../../elsewhere'],
  ])('refuses CURRENT naming %s', async (_what, target) => {
    const indexDir = copy();
    writeFileSync(join(indexDir, 'CURRENT'), `${target}\n`);
    await expect(loadIndex(indexDir, new HashingEmbedder())).rejects.toThrow(/CURRENT names .*not a generation folder inside .*refusing/);
  });

  it('refuses a generation that is a symlink leading out of the index folder', async () => {
    const indexDir = copy();
    const outside = mkdtempSync(join(tmpdir(), 'litbot-outside-'));
    cpSync(current(indexDir), join(outside, 'gen-evil'), { recursive: true });
    symlinkSync(join(outside, 'gen-evil'), join(indexDir, 'gen-evil'));
    writeFileSync(join(indexDir, 'CURRENT'), 'gen-evil\n');
    await expect(loadIndex(indexDir, new HashingEmbedder())).rejects.toThrow(/gen-evil leads outside .* refusing to read an index from there/);
  });

  it('treats a damaged index as stale: the next update rebuilds it instead of saying it is up to date', async () => {
    const indexDir = copy();
    const e = env(indexDir);
    const whole = await updateIndex({ env: e, embedder: new HashingEmbedder(), ...indexBuildHooks(e) });
    expect(whole.upToDate).toBe(true);
    garble(join(current(indexDir), FILES.chunkVectors));
    const lines: string[] = [];
    const rebuilt = await updateIndex({ env: e, embedder: new HashingEmbedder(), ...indexBuildHooks(e), log: (l) => lines.push(l) });
    expect(rebuilt.upToDate).toBe(false);
    expect(lines[0]).toMatch(/chunk-vectors\.f32 is damaged \(its checksum does not match the manifest.*\)\. Rebuilding it\./);
    const index = await loadIndex(indexDir, new HashingEmbedder());
    index.loadAll();
    expect(index.papers).toHaveLength(158);
    // A CURRENT pointing outside is replaced by the rebuild too.
    writeFileSync(join(indexDir, 'CURRENT'), '../elsewhere\n');
    expect((await updateIndex({ env: e, embedder: new HashingEmbedder(), ...indexBuildHooks(e), log: () => {} })).upToDate).toBe(false);
    expect(readManifest(indexDir)?.counts.papers).toBe(158);
  });
});

describe('noticing a changed corpus at start, cheaply', () => {
  it('reads no file whose size and mtime are unchanged, tells an edit from a touch, and names added and removed files', () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-fingerprint-'));
    const corpus = join(root, 'corpus');
    cpSync('seeds', corpus, { recursive: true });
    const links = join(root, 'links.json');
    writeFileSync(links, '{}');
    const print = takeFingerprint(corpus, [links]);
    expect(print.files.map((f) => f.path)).toEqual(loadCorpus(corpus).files.map((f) => f.file.split('/').pop()));
    expect(fingerprintChanges(corpus, print)).toBeUndefined();

    // A file's recorded hash is wrong on purpose: unchanged size and mtime must mean it is never read.
    const trusting = { ...print, files: print.files.map((f, i) => (i === 0 ? { ...f, sha256: 'not-read' } : f)) };
    expect(fingerprintChanges(corpus, trusting)).toBeUndefined();

    const first = join(corpus, print.files[0].path);
    const later = new Date(Date.now() + 5_000);
    utimesSync(first, later, later);
    expect(fingerprintChanges(corpus, print)).toBeUndefined();
    const text = readFileSync(first, 'utf8');
    writeFileSync(first, text.replace(/a/, 'e'));
    expect(fingerprintChanges(corpus, print)).toBe(`1 file changed: ${print.files[0].path}`);
    writeFileSync(first, text);

    writeFileSync(join(corpus, 'new.jsonl'), '{"abstract": "x"}\n');
    rmSync(join(corpus, print.files[1].path));
    mkdirSync(join(corpus, '.hidden'));
    writeFileSync(join(corpus, '.hidden', 'skipped.jsonl'), '{}');
    expect(fingerprintChanges(corpus, print)).toBe(`1 file added: new.jsonl; 1 file removed: ${print.files[1].path}`);
    rmSync(join(corpus, 'new.jsonl'));
    cpSync(join('seeds', print.files[1].path), join(corpus, print.files[1].path));
    utimesSync(join(corpus, print.files[1].path), later, later);
    expect(fingerprintChanges(corpus, print)).toBeUndefined();

    writeFileSync(links, '{"x": 1}');
    expect(fingerprintChanges(corpus, print)).toBe(`1 file changed: ${links}`);
  });
});

describe('what each command loads', () => {
  /** An embedder that counts its starts and refuses to embed, so a command that needs none can prove it. */
  class ColdEmbedder extends HashingEmbedder implements Embedder {
    starts = 0;
    override async init(): Promise<void> {
      this.starts++;
    }
  }

  it('paper, topics and similar read neither the graph, the BM25 files nor the chunks, and never start the embedder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-lazy-'));
    const e = testEnv({ CORPUS_DIR: 'seeds', INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache') });
    await buildIndex({ corpusDir: 'seeds', indexDir: e.INDEX_DIR, cacheDir: e.CACHE_DIR, embedder: new HashingEmbedder(), ...indexBuildHooks(e) });
    // Overwritten in place: any command that read them would stop with "damaged".
    for (const name of [FILES.hnsw, FILES.bm25Chunks, FILES.bm25Papers, FILES.chunks, FILES.chunkVectors, FILES.answerTerms]) garble(join(current(e.INDEX_DIR), name));
    const embedder = new ColdEmbedder();
    const litbot = await createLitbot({ env: e, embedder, log: () => {} });
    const paper = litbot.paper('negative preference optimization');
    expect(litbot.topicOf(paper.id)?.label).toBeTruthy();
    expect(litbot.topics().length).toBeGreaterThan(5);
    expect((await litbot.similar('negative preference optimization', 3)).similar).toHaveLength(3);
    expect(litbot.lookup('unlearn', 5).length).toBeGreaterThan(0);
    expect(embedder.starts).toBe(0);
    await expect(litbot.search('unlearning')).rejects.toThrow(IndexDamagedError);
    // Search corrects the question's typos against the collection's counts (answer-terms) before it embeds, so it stops there first.
    expect(embedder.starts).toBe(0);
    await litbot.close();
  });

  it('checks the model against the index when it starts: at the first search, or at start for the bot', async () => {
    const root = mkdtempSync(join(tmpdir(), 'litbot-lazy-'));
    const e = testEnv({ CORPUS_DIR: 'seeds', INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache') });
    await buildIndex({ corpusDir: 'seeds', indexDir: e.INDEX_DIR, cacheDir: e.CACHE_DIR, embedder: new HashingEmbedder(256) });
    const oneShot = await createLitbot({ env: e, embedder: new HashingEmbedder(128), log: () => {} });
    expect(oneShot.paper('negative preference optimization').title).toMatch(/^Negative Preference/);
    await expect(oneShot.search('unlearning')).rejects.toThrow(/256-dimensional vectors, the model gives 128.*npm run index -- --force/);
    await expect(createLitbot({ env: e, embedder: new HashingEmbedder(128), preload: true, log: () => {} })).rejects.toThrow(IndexMismatchError);
    // Another model's name is refused at once, whatever the command.
    await expect(createLitbot({ env: e, embedder: new HashingEmbedder(256, 'other-model'), log: () => {} })).rejects.toThrow(/EMBEDDINGS=test-hash, configured other-model/);
  });
});

/** Runs a CLI entry point as `npm run -s` would (asynchronously: a blocked test worker misses vitest's heartbeats). */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
      timeout: 180_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('a damaged index, through the commands', () => {
  const root = mkdtempSync(join(tmpdir(), 'litbot-damage-cli-'));
  const corpus = join(root, 'corpus');
  const cache = join(root, 'cache');
  const built = join(root, 'built');
  const seeds = loadCorpus('seeds').papers.slice(0, 4);
  const query = (command: string) => (command === 'paper' ? seeds[0].title : 'model merging');

  beforeAll(async () => {
    mkdirSync(corpus);
    writeFileSync(join(corpus, 'papers.jsonl'), seeds.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
    const first = await run('src/cli/index-corpus.ts', [], { CORPUS_DIR: corpus, INDEX_DIR: built, CACHE_DIR: cache });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Indexed 4 papers/);
  }, 200_000);

  it.each([
    ['a cut JSON file', FILES.titles, truncate, 'search'],
    ['a garbled HNSW graph', FILES.hnsw, garble, 'search'],
    ['garbled chunk vectors', FILES.chunkVectors, garble, 'search'],
    ['a cut papers file', FILES.papers, truncate, 'paper'],
  ] as const)(
    '%s: one line naming the file and the fix, then npm run index rebuilds it',
    async (_what, name, damage, command) => {
      const indexDir = join(root, `${command}-${name}`);
      cpSync(built, indexDir, { recursive: true });
      const file = join(current(indexDir), name);
      damage(file);
      const env = { CORPUS_DIR: corpus, INDEX_DIR: indexDir, CACHE_DIR: cache };
      const failed = await run(`src/cli/${command}.ts`, [query(command)], env);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('');
      expect(failed.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^The index file ${file.replace(/[.]/g, '\\.')} is damaged \\(.+\\)\\. Rebuild the index with: npm run index -- --force$`)),
      ]);

      const index = await run('src/cli/index-corpus.ts', [], env);
      expect(index.code).toBe(0);
      expect(index.stdout).toMatch(/^Indexed 4 papers/);
      expect(index.stderr).toContain(`The index file ${file} is damaged`);
      expect((await run(`src/cli/${command}.ts`, [query(command)], env)).code).toBe(0);
    },
    200_000,
  );

  it('refuses CURRENT pointing outside the index folder, in one line', async () => {
    const indexDir = join(root, 'outside');
    cpSync(built, indexDir, { recursive: true });
    writeFileSync(join(indexDir, 'CURRENT'), '../../etc\n');
    const failed = await run('src/cli/search.ts', ['model merging'], { CORPUS_DIR: corpus, INDEX_DIR: indexDir, CACHE_DIR: cache });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /CURRENT names "\.\.\/\.\.\/etc", not a generation folder inside .*; refusing to read an index from there\. Rebuild the index with: npm run index -- --force$/,
      ),
    ]);
  }, 200_000);
});

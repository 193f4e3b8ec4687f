import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';

/** Unprivileged ids for the permission test: root reads everything, so the command runs as "nobody". */
const NOBODY = 65534;

/** `npm run -s index -- ...` as a user runs it, with a clean environment pointing at temp folders. */
function npmIndex(args: string[], env: Record<string, string>, options: { asNobody?: boolean } = {}) {
  const asNobody = options.asNobody && process.getuid?.() === 0;
  const result = spawnSync('npm', ['run', '-s', 'index', '--', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 240_000,
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

const seeds = loadCorpus('seeds').papers;
const migu = seeds.find((p) => p.title.startsWith('Unlocking Continual Learning'))!;
const syndock = seeds.find((p) => p.title.startsWith('SyNDock'))!;
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** A temp root the unprivileged user can write to, with a corpus folder, an index and a cache. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'litbot-index-cli-'));
  chmodSync(root, 0o777);
  const corpus = join(root, 'corpus');
  mkdirSync(corpus);
  chmodSync(corpus, 0o777);
  return { root, corpus, env: { CORPUS_DIR: corpus, INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache'), HOME: root, npm_config_cache: join(root, 'npm') } };
}

const NO_CRASH = /heap out of memory|Unexpected error|\n\s+at [\w.<>]+ \(|FATAL ERROR/;

describe('npm run index', () => {
  it('reports a 1 MB abstract and a 5 MB single-line file by file and line, and stays within a 256 MB heap', () => {
    const { corpus, env } = workspace();
    const sentence = 'We show that adapters forget less when trained with replay. ';
    writeFileSync(join(corpus, 'good.jsonl'), jsonl([{ title: migu.title, abstract: migu.abstract }]));
    writeFileSync(join(corpus, 'big.jsonl'), jsonl([{ title: 'One Huge Abstract', abstract: sentence.repeat(Math.ceil((1024 * 1024) / sentence.length)) }]));
    writeFileSync(join(corpus, 'one-line.txt'), `Abstract: ${sentence.repeat(Math.ceil((5 * 1024 * 1024) / sentence.length))}`);
    const capped = { ...env, NODE_OPTIONS: '--max-old-space-size=256' };

    const failed = npmIndex([], capped);
    expect(failed.stderr).not.toMatch(NO_CRASH);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/big\.jsonl:1: abstract too long \(1,048,\d{3} characters; the limit is 10,000\)/);
    expect(failed.stderr).toMatch(/one-line\.txt:1: abstract too long \(5,242,\d{3} characters; the limit is 10,000\)/);
    expect(failed.stdout).toBe('');

    const skipped = npmIndex(['--skip-invalid', '--json'], capped);
    expect(skipped.stderr).not.toMatch(NO_CRASH);
    expect(skipped.code).toBe(0);
    const summary = JSON.parse(skipped.stdout);
    expect(summary).toMatchObject({ upToDate: false, papers: 1, entries: 1 });
    expect(summary.invalid.map((i: { file: string; line: number }) => `${i.file.split('/').pop()}:${i.line}`)).toEqual(['big.jsonl:1', 'one-line.txt:1']);
  }, 300_000);

  it('reports every merge with both sources, and every note, in the summary and in --json', () => {
    const { corpus, env } = workspace();
    writeFileSync(
      join(corpus, 'mine.jsonl'),
      jsonl([
        { title: migu.title, abstract: migu.abstract },
        { title: 'A Different Title Over The Same Abstract', abstract: migu.abstract },
        { title: migu.title.toUpperCase(), abstract: migu.abstract, tags: ['continual learning'] },
      ]),
    );
    writeFileSync(join(corpus, 'latin1.txt'), Buffer.concat([Buffer.from('Abstract: Caf'), Buffer.from([0xe9]), Buffer.from(` ${syndock.abstract}\n`)]));

    const built = npmIndex(['--json'], env);
    expect(built.stderr).not.toMatch(NO_CRASH);
    expect(built.code).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary).toMatchObject({ upToDate: false, papers: 3, entries: 4, duplicatesMerged: 1, invalid: [] });
    expect(summary.merges).toEqual([{ paperId: migu.id, title: migu.title, reason: 'same title and abstract', sources: [`${corpus}/mine.jsonl:1`, `${corpus}/mine.jsonl:3`] }]);
    expect(summary.notes).toEqual([
      { file: `${corpus}/latin1.txt`, line: 0, message: expect.stringMatching(/^not valid UTF-8 \(first bad byte on line 1\): read as Windows-1252/) },
      { file: `${corpus}/mine.jsonl`, line: 2, message: `same abstract as ${corpus}/mine.jsonl:1 ("${migu.title}") under a different title: kept as a separate paper` },
    ]);

    const again = npmIndex([], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is up to date (3 papers');
    expect(again.stdout).toContain(`  duplicates merged: 1\n    ${corpus}/mine.jsonl:3 into ${corpus}/mine.jsonl:1 (same title and abstract): ${migu.title}`);
    expect(again.stdout).toContain(`    ${corpus}/latin1.txt: not valid UTF-8`);
    expect(again.stdout).toContain(`    ${corpus}/mine.jsonl:2: same abstract as`);
  }, 300_000);

  it('reports a file and a folder it may not read (real EACCES) by path, also with --skip-invalid, never a stack', () => {
    const { corpus, env } = workspace();
    writeFileSync(join(corpus, 'open.jsonl'), jsonl([{ title: syndock.title, abstract: syndock.abstract }]));
    writeFileSync(join(corpus, 'locked.jsonl'), jsonl([{ title: migu.title, abstract: migu.abstract }]));
    mkdirSync(join(corpus, 'private'));
    writeFileSync(join(corpus, 'private', 'hidden.jsonl'), jsonl([{ title: migu.title, abstract: migu.abstract }]));
    chmodSync(join(corpus, 'locked.jsonl'), 0o000);
    chmodSync(join(corpus, 'private'), 0o000);

    const failed = npmIndex([], env, { asNobody: true });
    expect(failed.stderr).not.toMatch(NO_CRASH);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`  ${corpus}/locked.jsonl: cannot read this file: permission denied (EACCES)\n`);
    expect(failed.stderr).toContain(`  ${corpus}/private: cannot read this folder: permission denied (EACCES)\n`);

    const skipped = npmIndex(['--skip-invalid'], env, { asNobody: true });
    expect(skipped.stderr).not.toMatch(NO_CRASH);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/Indexed 1 papers/);
    expect(skipped.stdout).toMatch(/invalid blocks:\s+2 \(skipped\)/);
    expect(skipped.stderr).toContain(`skipped ${corpus}/locked.jsonl: cannot read this file: permission denied (EACCES)\n`);
    expect(skipped.stderr).toContain(`skipped ${corpus}/private: cannot read this folder: permission denied (EACCES)\n`);
  }, 300_000);
});

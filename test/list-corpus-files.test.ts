import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CORPUS_LIMITS } from '../src/corpus/corpus-limits.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { CorpusError } from '../src/errors.js';

// Tests run as root, for whom chmod 000 denies nothing: the permission errors are injected into the
// real fs calls the loader makes (readdirSync, readFileSync), for the paths listed here. The
// index-corpus CLI test produces real EACCES errors by running the command as an unprivileged user.
const denied = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const guard =
    <A extends unknown[], R>(call: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      if (denied.has(String(args[0]))) {
        throw Object.assign(new Error(`EACCES: permission denied, ${call} '${String(args[0])}'`), { code: 'EACCES', errno: -13, syscall: call });
      }
      return fn(...args);
    };
  const patched = { ...fs, readdirSync: guard('scandir', fs.readdirSync), readFileSync: guard('open', fs.readFileSync) };
  return { ...patched, default: patched };
});

afterEach(() => denied.clear());

function record(title: string): string {
  return `${JSON.stringify({ title, abstract: `${title}: we study how adapters forget. This sentence makes the abstract long enough.` })}\n`;
}

function tree(): string {
  return mkdtempSync(join(tmpdir(), 'litbot-files-'));
}

describe('corpus files and folders', () => {
  it('follows symlinked files and folders, reads each real file once, and reports a loop once', () => {
    const root = tree();
    const corpus = join(root, 'corpus');
    mkdirSync(join(corpus, 'sub'), { recursive: true });
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(corpus, 'a.jsonl'), record('Paper A'));
    writeFileSync(join(root, 'b.jsonl'), record('Paper B'));
    writeFileSync(join(root, 'elsewhere', 'c.jsonl'), record('Paper C'));
    symlinkSync(join(root, 'b.jsonl'), join(corpus, 'b-link.jsonl'));
    symlinkSync(join(root, 'elsewhere'), join(corpus, 'linked-folder'));
    symlinkSync(join(corpus, 'a.jsonl'), join(corpus, 'sub', 'a-again.jsonl'));
    symlinkSync(corpus, join(corpus, 'sub', 'loop'));

    const read = loadCorpus(corpus);
    expect(read.papers.map((p) => p.title).sort()).toEqual(['Paper A', 'Paper B', 'Paper C']);
    expect(read.issues).toEqual([]);
    expect(read.merges).toEqual([]);
    expect(read.notes.map((n) => `${n.file.slice(corpus.length + 1)}: ${n.message}`)).toEqual([
      `sub/a-again.jsonl: a symlink to ${join(corpus, 'a.jsonl')}, which is read already: read once`,
      `sub/loop: a symlink loop to ${corpus}, which is read already: not followed`,
    ]);
  });

  it('reports broken links, self-loops and named pipes by path, and indexes the rest with skipInvalid', () => {
    const corpus = tree();
    writeFileSync(join(corpus, 'good.jsonl'), record('Good Paper'));
    symlinkSync(join(corpus, 'nowhere.jsonl'), join(corpus, 'broken.jsonl'));
    symlinkSync(join(corpus, 'self'), join(corpus, 'self'));
    // A named pipe would block a reader forever: it must be reported without being opened.
    expect(spawnSync('mkfifo', [join(corpus, 'pipe.txt')]).status).toBe(0);

    let error: unknown;
    try {
      loadCorpus(corpus);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorpusError);
    const issues = (error as CorpusError).issues.map((i) => `${i.file.slice(corpus.length + 1)}:${i.line}: ${i.reason}`);
    expect(issues).toEqual([
      'broken.jsonl:0: a broken symlink (its target does not exist): skipped',
      'pipe.txt:0: a named pipe (FIFO), not a text file: skipped',
      'self:0: a symlink loop (the link leads back to itself): skipped',
    ]);
    expect((error as Error).message).toMatch(/\/broken\.jsonl: a broken symlink/);
    const kept = loadCorpus(corpus, { skipInvalid: true });
    expect(kept.papers.map((p) => p.title)).toEqual(['Good Paper']);
    expect(kept.issues).toHaveLength(3);
  });

  it('reports a file and a folder that cannot be read (EACCES) like any bad input, also with skipInvalid', () => {
    const corpus = tree();
    mkdirSync(join(corpus, 'private'));
    writeFileSync(join(corpus, 'private', 'hidden.jsonl'), record('Hidden Paper'));
    writeFileSync(join(corpus, 'locked.jsonl'), record('Locked Paper'));
    writeFileSync(join(corpus, 'open.jsonl'), record('Open Paper'));
    denied.add(join(corpus, 'private'));
    denied.add(join(corpus, 'locked.jsonl'));

    expect(() => loadCorpus(corpus)).toThrow(CorpusError);
    expect(() => loadCorpus(corpus)).toThrow(
      /2 problems.*\n.*\/private: cannot read this folder: permission denied \(EACCES\)\n.*\/locked\.jsonl: cannot read this file: permission denied \(EACCES\)$/,
    );
    const kept = loadCorpus(corpus, { skipInvalid: true });
    expect(kept.papers.map((p) => p.title)).toEqual(['Open Paper']);
    expect(kept.issues.map((i) => [i.file.slice(corpus.length + 1), i.line, i.reason])).toEqual([
      ['private', 0, 'cannot read this folder: permission denied (EACCES)'],
      ['locked.jsonl', 0, 'cannot read this file: permission denied (EACCES)'],
    ]);
  });

  it('reports a file over the size limit without reading it', () => {
    const corpus = tree();
    writeFileSync(join(corpus, 'good.jsonl'), record('Good Paper'));
    const huge = join(corpus, 'huge.jsonl');
    writeFileSync(huge, '');
    // Sparse: the size is real, the disk stays empty.
    truncateSync(huge, CORPUS_LIMITS.maxFileBytes + 1024 * 1024);
    denied.add(huge); // proves it is never opened: reading it would fail differently
    const kept = loadCorpus(corpus, { skipInvalid: true });
    expect(kept.papers.map((p) => p.title)).toEqual(['Good Paper']);
    expect(kept.issues.map((i) => `${i.file.slice(corpus.length + 1)}:${i.line}: ${i.reason}`)).toEqual([
      'huge.jsonl:0: file too large (51.0 MB; the limit is 50 MB per file): split it into smaller files',
    ]);
  });
});

/**
 * The compiled build as a user gets it: a fresh copy of the project (the files git would check
 * out), `npm run build`, then the quick start's commands through `npm run -s`, which run
 * `dist/` with plain node. The copy's node_modules links to this one's without tsx, so nothing
 * can fall back to running the TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { runProcess } from './helpers/run-process.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The project's files as a clone would have them (tracked and new, not ignored), copied to `dest`. */
function copyProject(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  expect(listed.status).toBe(0);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dest, file));
  }
  // Installed packages without tsx: the build must not need it.
  const modules = join(dest, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== 'tsx' && entry !== '.bin') symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  for (const bin of readdirSync(join(ROOT, 'node_modules', '.bin'))) {
    if (bin !== 'tsx') symlinkSync(join(ROOT, 'node_modules', '.bin', bin), join(modules, '.bin', bin));
  }
}

describe('the compiled build on a fresh copy of the project', () => {
  const root = mkdtempSync(join(tmpdir(), 'litbot-build-'));
  const project = join(root, 'litbot');
  const corpus = join(root, 'corpus');
  const seeds = loadCorpus('seeds').papers.slice(0, 4);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    CORPUS_DIR: corpus,
    INDEX_DIR: join(root, 'index'),
    CACHE_DIR: join(root, 'cache'),
    LOG_LEVEL: 'silent',
  };
  const npm = (args: string[], input?: string) => runProcess('npm', args, { cwd: project, env, input, timeoutMs: 400_000 });

  beforeAll(() => {
    copyProject(project);
    mkdirSync(corpus);
    writeFileSync(join(corpus, 'papers.jsonl'), seeds.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n') + '\n');
  });

  it('builds with npm run build, then runs the quick start with plain node, printing nothing but results on stdout', async () => {
    expect(existsSync(join(project, 'dist'))).toBe(false);
    const build = await npm(['run', '-s', 'build']);
    expect(build.stderr).toMatch(/^Built dist\/ in \d+\.\d s\.\n$/);
    expect(build.stdout).toBe('');
    expect(build.code).toBe(0);
    expect(existsSync(join(project, 'dist', 'src', 'cli', 'chat.js'))).toBe(true);
    expect(existsSync(join(project, 'dist', 'commands', 'ask.js'))).toBe(true);

    // The quick start: npm run chat builds the index the first time, then answers.
    const chat = await npm(['run', '-s', 'chat'], '/about\nHow do language models forget earlier tasks?\n/quit\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toMatch(/^Litbot: 4 papers, \d+ topics; answers by extractive\./);
    expect(chat.stdout).toContain('Sources:');
    expect(chat.stderr).toContain('No index in');

    const search = await npm(['run', '-s', 'search', '--', '--json', '--k', '1', 'model merging']);
    expect(search.code).toBe(0);
    expect(search.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(search.stdout).results).toHaveLength(1);
    expect(search.stderr).toBe('');

    const paper = await npm(['run', '-s', 'paper', '--', '--json', seeds[0].title]);
    expect(paper.code).toBe(0);
    expect(JSON.parse(paper.stdout).title).toBe(seeds[0].title);
  }, 900_000);

  it('rebuilds dist/ before running when a source changed since the build, saying so on stderr only', async () => {
    const file = join(project, 'src', 'cli', 'paper.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited after the build\n`);
    const before = readFileSync(join(project, 'dist', 'build-info.json'), 'utf8');
    const paper = await npm(['run', '-s', 'paper', '--', '--json', seeds[1].title]);
    expect(paper.stderr).toMatch(/^Rebuilding dist\/ first: src\/cli\/paper\.ts changed since the build \(npm run build; about 10-20 s\) \.\.\.\nRebuilt dist\/ in \d+\.\d s\.\n$/);
    expect(paper.code).toBe(0);
    expect(JSON.parse(paper.stdout).title).toBe(seeds[1].title);
    expect(readFileSync(join(project, 'dist', 'build-info.json'), 'utf8')).not.toBe(before);

    // Built now: the next run starts at once.
    const again = await npm(['run', '-s', 'paper', '--', '--json', seeds[1].title]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  }, 900_000);
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { runProcess } from './helpers/run-process.js';

const ROOT = resolve(import.meta.dirname, '..');
// The loader by its path, so that the CLIs also run from a working folder outside the project.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs a CLI entry point as `npm run -s` would, with a clean environment pointing at temp folders. */
function run(script: string, args: string[], env: Record<string, string>, input?: string, cwd = ROOT) {
  return runProcess(process.execPath, ['--import', TSX_LOADER, join(ROOT, script), ...args], {
    cwd,
    input,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeoutMs: 180_000,
  });
}

describe('the index and search commands', () => {
  const root = mkdtempSync(join(tmpdir(), 'litbot-cli-'));
  const corpus = join(root, 'corpus');
  const env = { CORPUS_DIR: corpus, INDEX_DIR: join(root, 'index'), CACHE_DIR: join(root, 'cache') };
  const seeds = loadCorpus('seeds').papers;
  const pick = ['Unlocking Continual Learning', 'SyNDock', 'Quantum Visual Fields'].map((t) => seeds.find((p) => p.title.startsWith(t))!);

  beforeAll(() => {
    mkdirSync(corpus);
    // Marked as arXiv papers, as their seed listings are, so their links are the seeds' arXiv searches.
    writeFileSync(join(corpus, 'papers.jsonl'), pick.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract, venue: 'arXiv' })).join('\n') + '\n');
  });

  it('fails on an invalid block, naming file and line, and indexes the rest with --skip-invalid', async () => {
    writeFileSync(join(corpus, 'broken.jsonl'), '{"title": "No abstract here"}\n');
    const failed = await run('src/cli/index-corpus.ts', [], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/broken\.jsonl:1: abstract: missing "abstract"/);
    expect(failed.stderr).toMatch(/--skip-invalid/);
    expect(failed.stdout).toBe('');

    const skipped = await run('src/cli/index-corpus.ts', ['--skip-invalid'], env);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/Indexed 3 papers/);
    expect(skipped.stdout).toMatch(/invalid blocks:\s+1 \(skipped\)/);
    expect(skipped.stdout).toMatch(/embedded:\s+\d+ new, 0 reused from cache/);
    expect(skipped.stderr).toMatch(/skipped .*broken\.jsonl:1/);
  }, 200_000);

  it('prints one JSON object per query read from standard input, and nothing else on stdout', async () => {
    const result = await run('src/cli/search.ts', ['--json', '--k', '2'], env, 'protein docking\n\ncontinual learning without replay\n');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.query).toBe('protein docking');
    expect(first.results).toHaveLength(2);
    expect(first.results[0]).toMatchObject({ title: pick[1].title, url: expect.stringContaining('arxiv.org'), paperId: pick[1].id });
    expect(typeof first.results[0].score).toBe('number');
    expect(second.results.map((r: { title: string }) => r.title)).toContain(pick[0].title);
  }, 200_000);

  it('says what is wrong with a --from that is not a date and a --source no file matches, instead of finding no papers', async () => {
    const date = await run('src/cli/search.ts', ['--from', '2024-13-45', 'protein docking'], env);
    expect(date.code).toBe(1);
    expect(date.stderr.trim()).toBe('--from 2024-13-45 is not a valid date: there is no month 13; use YYYY-MM-DD, YYYY-MM or YYYY.');
    expect(date.stdout).toBe('');

    const source = await run('src/cli/search.ts', ['--source', 'nosuchfile.txt', 'protein docking'], env);
    expect(source.code).toBe(1);
    expect(source.stderr.trim()).toMatch(
      /^No source file matches --source "nosuchfile\.txt": the index was built from \S*corpus\/papers\.jsonl\. Give part of one of those paths\.$/,
    );
    expect(source.stdout).toBe('');

    const matching = await run('src/cli/search.ts', ['--source', 'papers.jsonl', '--json', '--k', '1', 'protein docking'], env);
    expect(matching.code).toBe(0);
    expect(JSON.parse(matching.stdout).results[0].title).toBe(pick[1].title);
  });

  it('names the index folder as a folder when it builds it and when it is up to date', async () => {
    // Run from the temp folder so that INDEX_DIR can be the relative "index" a user would write.
    const relative = { ...env, INDEX_DIR: 'index-here' };
    const built = await run('src/cli/index-corpus.ts', ['--skip-invalid'], relative, undefined, root);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^Indexed 3 papers into \.\/index-here\n/);
    const again = await run('src/cli/index-corpus.ts', ['--skip-invalid'], relative, undefined, root);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^The index in \.\/index-here is up to date \(3 papers, built \S+\); use --force to rebuild\.\n/);
  });

  it('rejects a bad --k with a clear message', async () => {
    const result = await run('src/cli/search.ts', ['--k', '0', 'x'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--k must be a whole number from 1 to 50/);
  });

  it('prints only JSON for topics --json, every paper in exactly one topic', async () => {
    const result = await run('src/cli/topics.ts', ['--json'], env);
    expect(result.code).toBe(0);
    const { topics } = JSON.parse(result.stdout) as { topics: { id: number; label: string; papers: { paperId: string; title: string; url: string }[] }[] };
    const ids = topics.flatMap((t) => t.papers.map((p) => p.paperId)).sort();
    expect(ids).toEqual([...pick.map((p) => p.id)].sort());
    for (const t of topics) expect(t.label.length).toBeGreaterThan(0);
  });

  it('shows a paper by a partial title as JSON, and names an unknown title', async () => {
    const found = await run('src/cli/paper.ts', ['--json', 'syndock'], env);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ title: pick[1].title });
    const missing = await run('src/cli/paper.ts', ['zebra husbandry'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No paper title matches "zebra husbandry"/);
    expect(missing.stdout).toBe('');
  });

  it('answers questions from stdin as JSON lines with citations from the corpus only', async () => {
    const result = await run('src/cli/ask.ts', ['--json'], env, 'how are multimeric protein complexes docked?\nwhat is the best sourdough recipe?\n');
    expect(result.code).toBe(0);
    const [docking, bread] = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docking).toMatchObject({ question: 'how are multimeric protein complexes docked?', refused: false, backend: 'extractive' });
    expect(docking.citations[0]).toMatchObject({ n: 1, paperId: pick[1].id, title: pick[1].title, url: pick[1].url });
    expect(docking.answer).toContain('[1]');
    expect(bread.refused).toBe(true);
    expect(bread.citations).toEqual([]);
  });
});

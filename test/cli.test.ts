import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';

/** Runs a CLI entry point as `npm run -s` would, with a clean environment pointing at temp folders. */
function run(script: string, args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
    timeout: 180_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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

  it('fails on an invalid block, naming file and line, and indexes the rest with --skip-invalid', () => {
    writeFileSync(join(corpus, 'broken.jsonl'), '{"title": "No abstract here"}\n');
    const failed = run('src/cli/index-corpus.ts', [], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/broken\.jsonl:1: abstract: missing "abstract"/);
    expect(failed.stderr).toMatch(/--skip-invalid/);
    expect(failed.stdout).toBe('');

    const skipped = run('src/cli/index-corpus.ts', ['--skip-invalid'], env);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/Indexed 3 papers/);
    expect(skipped.stdout).toMatch(/invalid blocks:\s+1 \(skipped\)/);
    expect(skipped.stdout).toMatch(/embedded:\s+\d+ new, 0 reused from cache/);
    expect(skipped.stderr).toMatch(/skipped .*broken\.jsonl:1/);
  }, 200_000);

  it('prints one JSON object per query read from standard input, and nothing else on stdout', () => {
    const result = run('src/cli/search.ts', ['--json', '--k', '2'], env, 'protein docking\n\ncontinual learning without replay\n');
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

  it('rejects a bad --k with a clear message', () => {
    const result = run('src/cli/search.ts', ['--k', '0', 'x'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--k must be a whole number from 1 to 50/);
  });

  it('prints only JSON for topics --json, every paper in exactly one topic', () => {
    const result = run('src/cli/topics.ts', ['--json'], env);
    expect(result.code).toBe(0);
    const { topics } = JSON.parse(result.stdout) as { topics: { id: number; label: string; papers: { paperId: string; title: string; url: string }[] }[] };
    const ids = topics.flatMap((t) => t.papers.map((p) => p.paperId)).sort();
    expect(ids).toEqual([...pick.map((p) => p.id)].sort());
    for (const t of topics) expect(t.label.length).toBeGreaterThan(0);
  });

  it('shows a paper by a partial title as JSON, and names an unknown title', () => {
    const found = run('src/cli/paper.ts', ['--json', 'syndock'], env);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ title: pick[1].title });
    const missing = run('src/cli/paper.ts', ['zebra husbandry'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No paper title matches "zebra husbandry"/);
    expect(missing.stdout).toBe('');
  });

  it('answers questions from stdin as JSON lines with citations from the corpus only', () => {
    const result = run('src/cli/ask.ts', ['--json'], env, 'how are multimeric protein complexes docked?\nwhat is the best sourdough recipe?\n');
    expect(result.code).toBe(0);
    const [docking, bread] = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(docking).toMatchObject({ question: 'how are multimeric protein complexes docked?', refused: false, backend: 'extractive' });
    expect(docking.citations[0]).toMatchObject({ n: 1, paperId: pick[1].id, title: pick[1].title, url: pick[1].url });
    expect(docking.answer).toContain('[1]');
    expect(bread.refused).toBe(true);
    expect(bread.citations).toEqual([]);
  });
});

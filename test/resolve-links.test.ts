import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../src/corpus/paper.js';
import { parseArxivFeed, resolveLinks, titleSimilarity } from '../src/indexing/resolve-links.js';
import { seedPaper } from './helpers/lexical-retrieve.js';

/** A fake arXiv API: answers `ti:"..."` queries from a small catalogue, as an Atom feed. */
const catalogue = [
  { id: '2406.17245v2', title: 'Unlocking Continual Learning Abilities in Language Models' },
  { id: '2405.15307v1', title: 'Before Generation, Align it! A Novel and Effective Strategy for Mitigating Hallucinations in Text-to-SQL Generation' },
  // Shares words with a seed title but is another paper.
  { id: '2301.00001v1', title: 'Towards Understanding Pretraining Mechanisms of Vision Models via Circuit Analysis' },
];

function feed(entries: { id: string; title: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/fake</id>
  ${entries
    .map(
      (e) => `<entry>
    <id>http://arxiv.org/abs/${e.id}</id>
    <title>${e.title.replace(/&/g, '&amp;').replace(/ /g, '\n  ').replace(/^/, '')}</title>
    <summary>...</summary>
  </entry>`,
    )
    .join('\n')}
</feed>`;
}

let server: Server;
let apiUrl: string;
const requests: { url: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '' });
    const query = new URL(req.url ?? '', 'http://x').searchParams.get('search_query') ?? '';
    const words = /ti:"([^"]*)"/.exec(query)?.[1].split(' ') ?? [];
    // Like arXiv, return every entry sharing most query words, best or not.
    const found = catalogue.filter((e) => words.filter((w) => e.title.toLowerCase().includes(w)).length >= words.length * 0.6);
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(feed(found));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const copies = (): Paper[] =>
  ['Unlocking Continual Learning Abilities', 'Before Generation, Align it', 'Towards Understanding Fine-Tuning Mechanisms'].map((t) => structuredClone(seedPaper(t)));

describe('resolveLinks', () => {
  it('links confident title matches, skips the rest, and a second run makes no requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-links-'));
    try {
      const cacheFile = join(dir, 'arxiv-links.json');
      // This seed has no title of its own; its derived one must not be looked up.
      const derived = structuredClone(seedPaper('LoRA Dropout'));
      expect(derived.titleDerived).toBe(true);
      const papers = [...copies(), derived];
      requests.length = 0;
      // Spacing is checked where requests leave, not where they arrive, so a busy machine cannot blur it.
      const sentAt: number[] = [];
      const timedFetch: typeof fetch = (input, init) => (sentAt.push(Date.now()), fetch(input, init));
      const first = await resolveLinks(papers, { apiUrl, cacheFile, minIntervalMs: 40, fetch: timedFetch });
      expect(first).toEqual({ resolved: 2, skipped: 2, cached: 0 });
      expect(papers[0].url).toBe('https://arxiv.org/abs/2406.17245');
      expect(papers[0].urlIsDirect).toBe(true);
      expect(papers[1].url).toBe('https://arxiv.org/abs/2405.15307');
      expect(papers[2].url).toContain('arxiv.org/search/');
      expect(papers[2].urlIsDirect).toBe(false);
      // Not looked up: it keeps its search link (Scholar: "Abstract:" lines do not say the paper is on arXiv).
      expect(papers[3].url).toBe(seedPaper('LoRA Dropout').url);
      expect(requests).toHaveLength(3);
      expect(decodeURIComponent(requests[0].url)).toContain('ti:"unlocking continual learning abilities in language models"');
      // Timers may fire a millisecond early by Date.now()'s clock.
      for (let i = 1; i < sentAt.length; i++) expect(sentAt[i] - sentAt[i - 1]).toBeGreaterThanOrEqual(39);

      const again = copies();
      const second = await resolveLinks(again, { apiUrl, cacheFile, minIntervalMs: 40 });
      expect(requests).toHaveLength(3);
      expect(second).toEqual({ resolved: 0, skipped: 0, cached: 3 });
      expect(again.map((p) => p.url)).toEqual(papers.slice(0, 3).map((p) => p.url));
      expect(
        JSON.parse(readFileSync(cacheFile, 'utf8'))['before generation align it a novel and effective strategy for mitigating hallucinations in text to sql generation'].arxivId,
      ).toBe('2405.15307');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up after a few failures when arXiv cannot be reached, caching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'litbot-links-'));
    try {
      const lines: string[] = [];
      const papers = copies();
      const result = await resolveLinks(papers, { apiUrl: 'http://127.0.0.1:9/api/query', cacheFile: join(dir, 'c.json'), minIntervalMs: 0, log: (l) => lines.push(l) });
      expect(result).toEqual({ resolved: 0, skipped: 3, cached: 0 });
      expect(lines.join('\n')).toMatch(/unreachable|failed/);
      expect(papers.every((p) => !p.urlIsDirect)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('titleSimilarity and parseArxivFeed', () => {
  it('scores the same title in other case and punctuation as identical', () => {
    expect(titleSimilarity('LoRA Dropout: as a Sparsity Regularizer', 'lora dropout as a sparsity regularizer')).toBe(1);
    expect(titleSimilarity('Unlocking Continual Learning Abilities in Language Models', 'Unlocking Continual Learning in Vision Models')).toBeLessThan(0.9);
  });
  it('reads ids without their version and titles across lines', () => {
    expect(parseArxivFeed(feed([{ id: '2406.17245v2', title: 'A & B' }]))).toEqual([{ id: '2406.17245', title: 'A & B' }]);
  });
});

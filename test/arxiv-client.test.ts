import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArxivClient, ArxivNotFoundError, ArxivUnavailableError, InvalidArxivIdError, parseArxivEntries, parseArxivSource } from '../src/indexing/arxiv-client.js';
import { startFakeArxiv, type FakeArxiv } from './helpers/fake-arxiv-server.js';

const PAPER = {
  id: '2406.17245v2',
  title: 'Unlocking Continual Learning Abilities in Language Models',
  summary:
    'Language models (LMs) exhibit impressive performance and generalization capabilities. However, LMs struggle with the persistent challenge of catastrophic forgetting & more.',
  authors: ['Wenyu Du', 'Shuang Cheng', 'Tongxu Luo'],
  published: '2024-06-25T03:01:02Z',
};
const OLD = {
  id: 'cs/0101001v1',
  title: 'An Old-Style Paper on <Parsing>',
  summary: 'A summary of an old paper that is long enough to be an abstract of its own.',
  authors: ['A. Author'],
  published: '2001-01-02T00:00:00Z',
};

let arxiv: FakeArxiv;
let dir: string;
beforeAll(async () => {
  arxiv = await startFakeArxiv([PAPER, OLD]);
  dir = mkdtempSync(join(tmpdir(), 'litbot-arxiv-'));
});
afterAll(async () => {
  await arxiv.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('parseArxivSource', () => {
  it('reads new- and old-style ids, versions and arXiv links', () => {
    expect(parseArxivSource('2405.01234')).toEqual({ id: '2405.01234' });
    expect(parseArxivSource(' 2405.01234v2 ')).toEqual({ id: '2405.01234', version: 2 });
    expect(parseArxivSource('arXiv:1412.6980')).toEqual({ id: '1412.6980' });
    expect(parseArxivSource('cs/0101001')).toEqual({ id: 'cs/0101001' });
    expect(parseArxivSource('math.GT/0309136v3')).toEqual({ id: 'math/0309136', version: 3 });
    expect(parseArxivSource('hep-th/9901001')).toEqual({ id: 'hep-th/9901001' });
    expect(parseArxivSource('https://arxiv.org/abs/2405.01234v2')).toEqual({ id: '2405.01234', version: 2 });
    expect(parseArxivSource('http://export.arxiv.org/abs/2405.01234')).toEqual({ id: '2405.01234' });
    expect(parseArxivSource('arxiv.org/pdf/2405.01234v1.pdf')).toEqual({ id: '2405.01234', version: 1 });
    expect(parseArxivSource('https://www.arxiv.org/pdf/2405.01234')).toEqual({ id: '2405.01234' });
    expect(parseArxivSource('<https://arxiv.org/abs/cs/0101001v1>')).toEqual({ id: 'cs/0101001', version: 1 });
  });

  it('says what is wrong with ids and links that are not arXiv papers', () => {
    const reason = (input: string) => {
      try {
        parseArxivSource(input);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArxivIdError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${input}`);
    };
    expect(reason('')).toMatch(/No arXiv identifier/);
    expect(reason('2413.01234')).toMatch(/2413 is not a year and month/);
    expect(reason('2405.123')).toMatch(/not an arXiv identifier/);
    expect(reason('2405.1234')).toMatch(/five digits/);
    expect(reason('1412.69801')).toMatch(/four digits/);
    expect(reason('0612.0001')).toMatch(/April 2007/);
    expect(reason('attention is all you need')).toMatch(/not an arXiv identifier/);
    expect(reason('https://example.com/abs/2405.01234')).toMatch(/not on arxiv\.org/);
    expect(reason('https://arxiv.org/list/cs.CL/recent')).toMatch(/names no paper/);
    expect(reason('javascript://arxiv.org/abs/2405.01234')).toMatch(/Only http\(s\)/);
  });
});

describe('parseArxivEntries', () => {
  it('reads id, version, title, summary, authors, date and the abs link from an Atom feed', async () => {
    const client = new ArxivClient({ apiUrl: arxiv.apiUrl, minIntervalMs: 0 });
    const [entry] = await client.searchTitle('unlocking continual learning abilities');
    expect(entry).toEqual({
      id: '2406.17245',
      version: 2,
      title: PAPER.title,
      summary: PAPER.summary,
      authors: PAPER.authors,
      published: PAPER.published,
      absUrl: 'http://arxiv.org/abs/2406.17245v2',
    });
  });

  it('leaves out arXiv error entries and reads nothing from text that is not a feed', () => {
    expect(parseArxivEntries('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#x</id><title>Error</title></entry></feed>')).toEqual([]);
    expect(parseArxivEntries('not xml at all <<<')).toEqual([]);
  });
});

describe('ArxivClient.fetchPaper', () => {
  it('fetches one paper by id, with the version asked for, and answers a second time from the cache', async () => {
    const cacheFile = join(dir, 'links.json');
    const client = new ArxivClient({ apiUrl: arxiv.apiUrl, cacheFile, minIntervalMs: 0 });
    arxiv.requests.length = 0;
    const paper = await client.fetchPaper({ id: '2406.17245' });
    expect(paper).toEqual({ id: '2406.17245', title: PAPER.title, abstract: PAPER.summary, authors: PAPER.authors, date: '2024-06-25', url: 'https://arxiv.org/abs/2406.17245' });
    expect(arxiv.requests).toEqual(['/api/query?id_list=2406.17245&max_results=1']);
    const v1 = await client.fetchPaper({ id: '2406.17245', version: 1 });
    expect(v1.url).toBe('https://arxiv.org/abs/2406.17245v1');
    expect(arxiv.requests[1]).toContain('id_list=2406.17245v1');

    const again = new ArxivClient({ apiUrl: arxiv.apiUrl, cacheFile, minIntervalMs: 0 });
    expect(await again.fetchPaper({ id: '2406.17245' })).toEqual(paper);
    expect(arxiv.requests).toHaveLength(2);
    // The title lookup of --resolve-links learns the link as well.
    expect(JSON.parse(readFileSync(cacheFile, 'utf8'))['unlocking continual learning abilities in language models'].arxivId).toBe('2406.17245');
    expect((await client.fetchPaper({ id: 'cs/0101001' })).title).toBe('An Old-Style Paper on <Parsing>');
  });

  it('tells an unknown id from an unreachable or slow arXiv', async () => {
    const client = new ArxivClient({ apiUrl: arxiv.apiUrl, minIntervalMs: 0, timeoutMs: 300 });
    await expect(client.fetchPaper({ id: '2401.99999' })).rejects.toBeInstanceOf(ArxivNotFoundError);
    // arXiv answers a malformed id with HTTP 400 and an error entry.
    await expect(client.fetchPaper({ id: '9999.x' })).rejects.toBeInstanceOf(ArxivNotFoundError);
    try {
      arxiv.mode = 'reset';
      await expect(client.fetchPaper({ id: '2406.17245' })).rejects.toMatchObject({ name: 'ArxivUnavailableError', timedOut: false });
      arxiv.mode = 'slow';
      await expect(client.fetchPaper({ id: '2406.17245' })).rejects.toMatchObject({
        name: 'ArxivUnavailableError',
        timedOut: true,
        message: expect.stringMatching(/within 0\.3 s/),
      });
    } finally {
      arxiv.mode = 'ok';
    }
    const down = new ArxivClient({ apiUrl: 'http://127.0.0.1:9/api/query', minIntervalMs: 0 });
    await expect(down.fetchPaper({ id: '2406.17245' })).rejects.toBeInstanceOf(ArxivUnavailableError);
  });

  it('spaces requests as arXiv asks, also when they are made at once', async () => {
    const sentAt: number[] = [];
    const client = new ArxivClient({ apiUrl: arxiv.apiUrl, minIntervalMs: 60, fetch: (input, init) => (sentAt.push(Date.now()), fetch(input, init)) });
    await Promise.all([client.searchTitle('a'), client.searchTitle('b'), client.searchTitle('c')]);
    expect(sentAt).toHaveLength(3);
    // Timers may fire a millisecond early by Date.now()'s clock.
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i] - sentAt[i - 1]).toBeGreaterThanOrEqual(59);
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_LIMITS } from '../src/corpus/corpus-limits.js';
import { detectFormat, loadCorpus } from '../src/corpus/load-corpus.js';
import { deriveTitle, isoDate, normalizeTitle } from '../src/corpus/normalize.js';
import { CorpusError } from '../src/errors.js';

function corpusDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'litbot-corpus-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function expectCorpusError(dir: string, pattern: RegExp): CorpusError {
  try {
    loadCorpus(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(CorpusError);
    expect((error as Error).message).toMatch(pattern);
    return error as CorpusError;
  }
  throw new Error('expected a CorpusError');
}

const ABSTRACT = 'We study how adapters forget. ' + 'This sentence makes the abstract long enough to be read as one. '.repeat(3);

describe('the seed corpus', () => {
  const corpus = loadCorpus('seeds');

  it('reads 160 entries as 158 distinct papers', () => {
    expect(corpus.entries).toBe(160);
    expect(corpus.papers).toHaveLength(158);
    expect(corpus.duplicatesMerged).toBe(2);
    expect(corpus.issues).toEqual([]);
  });

  it('detects each file format', () => {
    expect(Object.fromEntries(corpus.files.map((f) => [f.file.split('/').pop()!.slice(0, 3), [f.format, f.entries]]))).toEqual({
      '000': ['author-page', 10],
      '001': ['daily-papers', 70],
      '002': ['daily-papers', 73],
      '003': ['abstract-lines', 7],
    });
  });

  it('reads author-page metadata: venue, and the page owner as who listed it, not as the sole author', () => {
    const paper = corpus.papers.find((p) => p.title.startsWith('Towards Understanding Fine-Tuning Mechanisms'))!;
    expect(paper.venue).toBe('arXiv Artificial Intelligence');
    expect(paper.authors).toBeUndefined();
    expect(paper.listedBy).toEqual(['Reynold Cheng']);
    expect(corpus.papers.filter((p) => p.listedBy).length).toBe(10);
    expect(paper.sources).toEqual([{ file: 'seeds/000_f88659c17f943e70.txt', line: 8 }]);
    expect(paper.abstract).not.toContain('\\cite');
  });

  it('reads daily-papers metadata: author count, date and upvotes', () => {
    const syndock = corpus.papers.find((p) => p.title.startsWith('SyNDock'))!;
    expect(syndock).toMatchObject({ authorCount: 5, date: 'May 23, 2023', isoDate: '2023-05-23' });
    const concept = corpus.papers.find((p) => p.title.startsWith('Large Concept Models'))!;
    expect(concept).toMatchObject({ authorCount: 21, date: 'Dec 11, 2024', upvotes: 1 });
  });

  it('gives untitled papers a derived, marked title and a scholarly search on their opening words', () => {
    const untitled = corpus.papers.filter((p) => p.titleDerived);
    expect(untitled).toHaveLength(7);
    for (const p of untitled) {
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.title.split(/\s+/).length).toBeLessThanOrEqual(13);
      // "Abstract:" lines do not say the papers are on arXiv, so the search is not an arXiv one.
      expect(new URL(p.url).origin).toBe('https://scholar.google.com');
      expect(new URL(p.url).searchParams.get('q')).toBe(`"${p.abstract.split(/\s+/).slice(0, 12).join(' ')}"`);
    }
    expect(untitled.map((p) => p.title)).toContain('A LoRA Dropout mechanism for the LoRA-based methods');
  });

  it('merges a paper listed twice, keeping both sources, and reports each merge with both', () => {
    const merged = corpus.papers.filter((p) => p.sources.length > 1);
    expect(merged.map((p) => p.title).sort()).toEqual([
      'How Far Can Camels Go? Exploring the State of Instruction Tuning on Open Resources',
      'The Inherent Limits of Pretrained LLMs: The Unexpected Convergence of Instruction Tuning and In-Context Learning Capabilities',
    ]);
    expect(merged[0].sources.map((s) => s.file.slice(6, 9)).sort()).toEqual(['001', '002']);
    expect(corpus.merges.map((m) => [m.paperId, m.reason, m.sources.map((s) => `${s.file.slice(6, 9)}:${s.line}`)])).toEqual([
      ['615af03192e4', 'same title and abstract', ['001:279', '002:117']],
      ['96d703b6a50f', 'same title and abstract', ['001:75', '002:253']],
    ]);
    expect(corpus.notes).toEqual([]);
  });

  it('keeps every seed paper id as it was before LaTeX cleaning, link and merge changes', () => {
    // sha1 of the sorted ids, taken from the loader as it was before those changes.
    const ids = corpus.papers.map((p) => p.id).sort();
    expect(createHash('sha1').update(ids.join('\n')).digest('hex')).toBe('d3d95e3d3e5d20152f7c5fafea755302ad4cc03c');
    expect(corpus.papers.find((p) => p.title.startsWith('TÜLU 3'))!.id).toBe('305d903edfe7');
    expect(corpus.papers.find((p) => p.title === 'A LoRA Dropout mechanism for the LoRA-based methods')!.id).toBe('1d788f7f1596');
  });

  it('gives titled papers from arXiv listings an arXiv title-search link and stable unique ids', () => {
    const ids = new Set(corpus.papers.map((p) => p.id));
    expect(ids.size).toBe(158);
    const again = loadCorpus('seeds');
    expect(again.papers.map((p) => p.id)).toEqual(corpus.papers.map((p) => p.id));
    const titled = corpus.papers.filter((p) => !p.titleDerived);
    expect(titled).toHaveLength(151);
    for (const p of titled) {
      expect(new URL(p.url).origin + new URL(p.url).pathname).toBe('https://arxiv.org/search/');
      expect(new URL(p.url).searchParams.get('query')).toBe(p.title);
      expect(new URL(p.url).searchParams.get('searchtype')).toBe('title');
    }
  });
});

describe('JSON and JSON Lines corpora', () => {
  it('reads JSON Lines with metadata and its own URLs', () => {
    const dir = corpusDir({
      'mine.jsonl': [
        JSON.stringify({ title: 'Adapters That Forget', abstract: ABSTRACT, url: 'https://example.org/a', authors: ['Ada L', 'Bo K'], date: '2024-05-01', tags: ['cl'] }),
        '',
        JSON.stringify({ abstract: `${ABSTRACT} Untitled.` }),
      ].join('\n'),
    });
    const corpus = loadCorpus(dir);
    expect(corpus.papers).toHaveLength(2);
    expect(corpus.papers[0]).toMatchObject({ title: 'Adapters That Forget', url: 'https://example.org/a', urlIsDirect: true, isoDate: '2024-05-01', authorCount: 2 });
    expect(corpus.papers[1].titleDerived).toBe(true);
    expect(corpus.papers[1].sources[0].line).toBe(3);
  });

  it('reads a JSON array and reports bad records with their line', () => {
    const dir = corpusDir({
      'list.json': `[\n  {"title": "Good", "abstract": ${JSON.stringify(ABSTRACT)}},\n  {"title": "No abstract"},\n  {"title": "Bad url", "abstract": "x y z", "url": "not a url"}\n]\n`,
    });
    const error = expectCorpusError(dir, /2 problems/);
    expect(error.issues.map((i) => [i.line, i.reason])).toEqual([
      [3, expect.stringContaining('abstract')],
      [4, expect.stringContaining('url')],
    ]);
    const skipped = loadCorpus(dir, { skipInvalid: true });
    expect(skipped.papers.map((p) => p.title)).toEqual(['Good']);
    expect(skipped.issues).toHaveLength(2);
  });

  it('names the line of invalid JSON Lines', () => {
    const dir = corpusDir({ 'x.jsonl': `${JSON.stringify({ abstract: ABSTRACT })}\n{"abstract": oops}\n` });
    const error = expectCorpusError(dir, /x\.jsonl:2: invalid JSON/);
    expect(error.issues).toHaveLength(1);
  });
});

describe('links', () => {
  it('accepts only http(s) URLs: javascript:, data:, file: and other schemes are invalid blocks with file and line', () => {
    const dir = corpusDir({
      'links.jsonl': [
        { title: 'Fine', abstract: ABSTRACT, url: 'https://example.org/fine' },
        { title: 'Script', abstract: ABSTRACT, url: 'javascript:alert(document.cookie)' },
        { title: 'Data', abstract: ABSTRACT, url: 'data:text/html,<script>alert(1)</script>' },
        { title: 'File', abstract: ABSTRACT, url: 'file:///etc/passwd' },
        { title: 'Ftp', abstract: ABSTRACT, url: 'ftp://example.org/paper.pdf' },
        { title: 'Plain http', abstract: ABSTRACT, url: 'http://example.org/plain' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    });
    const error = expectCorpusError(dir, /4 problems/);
    expect(error.issues.map((i) => `${i.file.split('/').pop()}:${i.line}: ${i.reason}`)).toEqual(
      [2, 3, 4, 5].map((line) => `links.jsonl:${line}: url: "url" must be an http(s) link (https://...)`),
    );
    const kept = loadCorpus(dir, { skipInvalid: true });
    expect(kept.papers.map((p) => p.url)).toEqual(['https://example.org/fine', 'http://example.org/plain']);
  });

  it('links a paper without a url to arXiv only when the source says it is an arXiv paper, else to a Scholar search', () => {
    const dir = corpusDir({
      'mine.jsonl': [
        { title: 'No Link At All', abstract: ABSTRACT },
        { title: 'With An arXiv Id', abstract: `Id. ${ABSTRACT}`, arxivId: 'arXiv:2404.09610v2' },
        { title: 'With An arXiv Venue', abstract: `Venue. ${ABSTRACT}`, venue: 'arXiv cs.CL' },
        { title: 'Bad Id', abstract: ABSTRACT, arxivId: 'not-an-id' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    });
    const error = expectCorpusError(dir, /1 problem/);
    expect(error.issues[0]).toMatchObject({ line: 4, reason: expect.stringMatching(/arxivId.*arXiv identifier/) });
    const papers = loadCorpus(dir, { skipInvalid: true }).papers;
    expect(papers.map((p) => [p.url, p.urlIsDirect])).toEqual([
      ['https://scholar.google.com/scholar?q=%22No%20Link%20At%20All%22', false],
      ['https://arxiv.org/abs/2404.09610', true],
      ['https://arxiv.org/search/?query=With%20An%20arXiv%20Venue&searchtype=title', false],
    ]);
  });
});

describe('input bounds', () => {
  it('reports a 1 MB abstract and an overlong title as invalid blocks with file and line, and reads the rest', () => {
    const huge = 'We show that adapters forget less. '.repeat(30_000);
    const dir = corpusDir({
      'big.jsonl': [
        { title: 'Fine', abstract: ABSTRACT },
        { title: 'Huge', abstract: huge },
        { title: 'T'.repeat(CORPUS_LIMITS.maxTitleChars + 1), abstract: `Other. ${ABSTRACT}` },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
      'one-line.txt': `Abstract: ${huge}`,
    });
    const error = expectCorpusError(dir, /3 problems/);
    expect(error.issues.map((i) => `${i.file.split('/').pop()}:${i.line}: ${i.reason}`)).toEqual([
      'big.jsonl:2: abstract too long (1,049,999 characters; the limit is 10,000): is it a whole paper, or several abstracts run together?',
      'big.jsonl:3: title too long (501 characters; the limit is 500)',
      'one-line.txt:1: abstract too long (1,049,999 characters; the limit is 10,000): is it a whole paper, or several abstracts run together?',
    ]);
    expect(loadCorpus(dir, { skipInvalid: true }).papers.map((p) => p.title)).toEqual(['Fine']);
  });

  it('accepts an abstract at the limit', () => {
    const words = 'adapters forget less when regularised towards earlier weights. ';
    const abstract = words.repeat(Math.ceil(CORPUS_LIMITS.maxAbstractChars / words.length)).slice(0, CORPUS_LIMITS.maxAbstractChars);
    const corpus = loadCorpus(corpusDir({ 'max.jsonl': JSON.stringify({ title: 'At The Limit', abstract }) }));
    expect(corpus.papers[0].abstract.length).toBe(CORPUS_LIMITS.maxAbstractChars - 1);
  });
});

describe('bad input', () => {
  it('reports a missing, empty or non-folder corpus with the fix', () => {
    expectCorpusError('/nonexistent/litbot', /does not exist.*CORPUS_DIR/);
    expectCorpusError(corpusDir({}), /is empty/);
  });

  it('reports empty, binary and unknown-format files by name, with no line number for a whole file', () => {
    const dir = corpusDir({
      'a-empty.txt': '   \n',
      'b-binary.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
      'd-notes.txt': 'just some notes\nwith no structure\n',
      'e-good.jsonl': JSON.stringify({ abstract: ABSTRACT }),
    });
    const error = expectCorpusError(dir, /3 problems/);
    const byFile = Object.fromEntries(error.issues.map((i) => [i.file.split('/').pop(), `${i.line} ${i.reason}`]));
    expect(byFile['a-empty.txt']).toMatch(/^0 empty file/);
    expect(byFile['b-binary.txt']).toMatch(/^0 binary/);
    expect(byFile['d-notes.txt']).toMatch(/^0 unknown format/);
    expect(error.message).toMatch(/\/a-empty\.txt: empty file/);
  });

  it('reads a Latin-1 file whole, as Windows-1252, and says so in a note naming the file', () => {
    const latin1 = Buffer.concat([
      Buffer.from('Abstract: A fine first line. '),
      Buffer.from(ABSTRACT),
      Buffer.from('\nAbstract: Caf'),
      Buffer.from([0xe9]),
      Buffer.from(` au lait na${'\xef'}ve \u0093quoted\u0094. `, 'latin1'),
      Buffer.from(ABSTRACT),
      Buffer.from('\n'),
    ]);
    const dir = corpusDir({ 'c-latin1.txt': latin1 });
    const corpus = loadCorpus(dir);
    expect(corpus.issues).toEqual([]);
    expect(corpus.papers.map((p) => p.abstract.slice(0, 30))).toEqual(['A fine first line. We study ho', 'Café au lait naïve “quoted”. W']);
    expect(corpus.notes).toEqual([
      { file: expect.stringMatching(/c-latin1\.txt$/), message: expect.stringMatching(/^not valid UTF-8 \(first bad byte on line 2\): read as Windows-1252 \(Latin-1\)/) },
    ]);
    expect(corpus.files[0]).toMatchObject({ format: 'abstract-lines', entries: 2, encoding: 'windows-1252' });
  });

  it('reads UTF-16 files that carry a byte-order mark', () => {
    const text = `Abstract: Über ${ABSTRACT}\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const corpus = loadCorpus(corpusDir({ 'u16.txt': le }));
    expect(corpus.papers[0].abstract.startsWith('Über We study')).toBe(true);
    expect(corpus.notes).toEqual([]);
  });

  it('reports malformed blocks in each text format with file and line', () => {
    const dir = corpusDir({
      'author.txt': `Collaborating Authors\n\nDoe, Jane\n\nFirst Paper\n\narXiv.org Machine Learning\n\n${ABSTRACT}\n\nSecond Paper\n\narXiv.org Machine Learning\n`,
      'daily.txt': `byAK and the research community\n\nA Title\n\nDaily. ${ABSTRACT}\n\n• 3 authors\n·\nMay 2, 2024\n\nOrphan Title\n\n• 2 authors\n`,
      'lines.txt': `Abstract: Lines. ${ABSTRACT}\nnot an abstract line\nAbstract:   \n`,
    });
    const error = expectCorpusError(dir, /4 problems/);
    expect(error.issues.map((i) => `${i.file.split('/').pop()}:${i.line}`)).toEqual(['author.txt:11', 'daily.txt:11', 'lines.txt:2', 'lines.txt:3']);
    expect(error.message).toMatch(/Second Paper" has no abstract/);
    expect(error.message).toMatch(/--skip-invalid/);
    const kept = loadCorpus(dir, { skipInvalid: true });
    expect(kept.papers.map((p) => p.title).slice(0, 2)).toEqual(['First Paper', 'A Title']);
    expect(kept.papers).toHaveLength(3);
  });
});

describe('helpers', () => {
  it('normalises titles for duplicate detection', () => {
    expect(normalizeTitle('  LoRA-Dropout:  A Sparsity  Regularizer! ')).toBe(normalizeTitle('lora dropout a sparsity regularizer'));
  });

  it('reads dates with a year and leaves the others undated', () => {
    expect(isoDate('May 23, 2023')).toBe('2023-05-23');
    expect(isoDate('2024-05')).toBe('2024-05-01');
    expect(isoDate('Aug 14')).toBeUndefined();
  });

  it('derives a title from the contribution sentence', () => {
    expect(deriveTitle('Models forget. In this paper, we propose a replay-free method for continual learning, which works.')).toBe('A replay-free method for continual learning');
    expect(detectFormat('Abstract: x\n', 'f.txt')).toBe('abstract-lines');
  });
});

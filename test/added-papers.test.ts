import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADDED_FILE, AddedPapers, DuplicatePaperError, SubmissionError, checkSubmission, cleanSubmittedText, paperIdForTitle } from '../src/corpus/added-papers.js';
import { loadCorpus } from '../src/corpus/load-corpus.js';

const ABSTRACT = 'We study how retrieval changes the answers of language models when the collection grows every week, and measure the effect on citations.';
const BY = { id: '500000000000000001', name: 'reader' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'litbot-added-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('cleanSubmittedText and checkSubmission', () => {
  it('takes mentions and Markdown links out of what a user typed', () => {
    expect(cleanSubmittedText('Hi <@123456789012345678> and <@!123456789012345678> <@&223456789012345678> in <#323456789012345678>')).not.toMatch(/<[@#]/);
    expect(cleanSubmittedText('@everyone look @here')).toBe('everyone look here');
    expect(cleanSubmittedText('see [the code](https://evil.example/x) now')).toBe('see the code now');
    expect(cleanSubmittedText('[[nested](https://a.example)](https://b.example)')).toBe('nested');
    expect(cleanSubmittedText('a\u202Ebidi\u200b zero-width')).toBe('abidi zero-width');
    expect(cleanSubmittedText('plain https://github.com/org/repo stays')).toBe('plain https://github.com/org/repo stays');
  });

  it('cleans a title of markup and refuses one that is only markup or mentions', () => {
    expect(checkSubmission({ title: '**Bold** _Title_ with `code`', abstract: ABSTRACT }).title).toBe('Bold Title with code');
    expect(checkSubmission({ title: '# [Click me](https://evil.example) <@123456789012345678>', abstract: ABSTRACT }).title).toBe('Click me');
    for (const title of ['<@123456789012345678>', '**__~~||||~~__**', '@everyone', '   ', '[](https://evil.example)']) {
      expect(() => checkSubmission({ title, abstract: ABSTRACT }), title).toThrow(SubmissionError);
    }
    expect(() => checkSubmission({ title: '<@123456789012345678> @here', abstract: ABSTRACT })).toThrow(/no words once mentions and formatting are taken out/);
  });

  it('refuses an empty, short or oversized abstract and a link that is not http(s), saying what to fix', () => {
    expect(() => checkSubmission({ title: 'A title', abstract: '  ' })).toThrow(/abstract is empty/);
    expect(() => checkSubmission({ title: 'A title', abstract: '<@123456789012345678>' })).toThrow(/abstract is empty/);
    expect(() => checkSubmission({ title: 'A title', abstract: 'Too short.' })).toThrow(/too short \(10 characters; at least 50\)/);
    expect(() => checkSubmission({ title: 'A title', abstract: 'word '.repeat(1_000) })).toThrow(/too long \(4,999 characters; at most 4,000\)/);
    expect(() => checkSubmission({ title: 'A title', abstract: ABSTRACT, url: 'javascript:alert(1)' })).toThrow(/http\(s\) address/);
    expect(() => checkSubmission({ title: 'A title', abstract: ABSTRACT, url: 'https://user:pw@example.com/' })).toThrow(/http\(s\) address/);
    expect(checkSubmission({ title: 'A title', abstract: ABSTRACT, url: '<https://doi.org/10.1000/xyz>' }).url).toBe('https://doi.org/10.1000/xyz');
  });
});

describe('AddedPapers', () => {
  it('appends records with who added them and when, as JSON Lines the corpus reader indexes', async () => {
    writeFileSync(join(dir, 'papers.jsonl'), `${JSON.stringify({ title: 'A shipped paper', abstract: ABSTRACT })}\n`);
    const added = new AddedPapers(dir);
    const submission = checkSubmission({
      title: 'Growing Collections',
      abstract: ABSTRACT,
      url: 'https://arxiv.org/abs/2406.17245',
      arxivId: '2406.17245',
      authors: ['Ada Lovelace'],
      date: '2024-06-25',
    });
    const record = await added.add(submission, BY, new Date('2024-07-01T10:00:00Z'));
    expect(record).toEqual({ ...submission, addedBy: BY, addedAt: '2024-07-01T10:00:00.000Z' });
    expect(JSON.parse(readFileSync(join(dir, ADDED_FILE), 'utf8').trim())).toEqual(record);

    const corpus = loadCorpus(dir);
    const paper = corpus.papers.find((p) => p.title === 'Growing Collections')!;
    expect(paper).toMatchObject({
      id: paperIdForTitle('Growing Collections'),
      url: 'https://arxiv.org/abs/2406.17245',
      urlIsDirect: true,
      authors: ['Ada Lovelace'],
      date: '2024-06-25',
    });
    expect(paper.sources[0].file).toMatch(/added\.jsonl$/);
    // Only the two files: the lock and temporary files are dot-files the reader skips.
    expect(corpus.files.map((f) => f.file.replace(/^.*[\\/]/, '')).sort()).toEqual(['added.jsonl', 'papers.jsonl']);
  });

  it('refuses the same paper twice, by title or by arXiv id, and names the earlier addition', async () => {
    const added = new AddedPapers(dir);
    await added.add(checkSubmission({ title: 'Growing Collections', abstract: ABSTRACT, arxivId: '2406.17245' }), BY);
    await expect(added.add(checkSubmission({ title: 'growing collections!', abstract: ABSTRACT }), BY)).rejects.toBeInstanceOf(DuplicatePaperError);
    await expect(added.add(checkSubmission({ title: 'Another Title', abstract: ABSTRACT, arxivId: '2406.17245' }), BY)).rejects.toThrow(
      /already in the collection: “Growing Collections” \(added by reader on \d{4}-\d{2}-\d{2}\)/,
    );
    expect(added.list()).toHaveLength(1);
  });

  it('lists what the file holds now, also after another process or an editor changed it', async () => {
    const added = new AddedPapers(dir);
    expect(added.list()).toEqual([]);
    await added.add(checkSubmission({ title: 'First Addition', abstract: ABSTRACT }), BY);
    expect(added.list().map((p) => p.title)).toEqual(['First Addition']);
    // Another writer appends a line; the next list sees it.
    const file = join(dir, ADDED_FILE);
    writeFileSync(file, `${readFileSync(file, 'utf8')}${JSON.stringify({ title: 'Second Addition', abstract: ABSTRACT })}\n`);
    expect(added.list().map((p) => p.title)).toEqual(['First Addition', 'Second Addition']);
    // A caller changing the list it got changes nothing for the next one.
    added.list().pop();
    expect(added.list()).toHaveLength(2);
    await added.remove(paperIdForTitle('First Addition'));
    expect(added.list().map((p) => p.title)).toEqual(['Second Addition']);
  });

  it('keeps every line when several writers add at once', async () => {
    // Two stores over one folder stand for two bot processes (shards).
    const a = new AddedPapers(dir);
    const b = new AddedPapers(dir);
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).add(checkSubmission({ title: `Paper number ${i}`, abstract: ABSTRACT }), BY)));
    expect(
      a
        .list()
        .map((p) => p.title)
        .sort(),
    ).toEqual(Array.from({ length: 12 }, (_, i) => `Paper number ${i}`).sort());
    expect(readdirSync(dir).filter((f) => f !== ADDED_FILE)).toEqual([]);
  });

  it('removes a paper by its index id, keeps lines it cannot read, and deletes the file when nothing is left', async () => {
    const added = new AddedPapers(dir);
    await added.add(checkSubmission({ title: 'First Paper', abstract: ABSTRACT }), BY);
    await added.add(checkSubmission({ title: 'Second Paper', abstract: ABSTRACT }), BY);
    writeFileSync(added.file, `${readFileSync(added.file, 'utf8')}{"broken": \n`);
    expect(await added.remove(paperIdForTitle('Nobody'))).toBeUndefined();
    expect((await added.remove(paperIdForTitle('First Paper')))?.title).toBe('First Paper');
    expect(readFileSync(added.file, 'utf8')).toContain('{"broken":');
    expect(added.list().map((p) => p.title)).toEqual(['Second Paper']);
    writeFileSync(added.file, readFileSync(added.file, 'utf8').replace('{"broken": \n', ''));
    await added.remove(paperIdForTitle('Second Paper'));
    // An empty file would be a corpus problem ("empty file"): none is left behind.
    expect(existsSync(added.file)).toBe(false);
  });
});

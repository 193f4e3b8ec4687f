import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { linkKey } from '../src/corpus/merge-entries.js';

const A =
  'We study how adapters forget earlier tasks during continual fine-tuning of language models. ' +
  'A replay-free regulariser keeps the adapter weights close to their earlier values and halves forgetting on five benchmarks.';
const B =
  'Protein docking is cast as a graph matching problem between two molecular surfaces. ' +
  'A symmetric network predicts the contact map and recovers the complex in under a second per pair.';

function corpusOf(records: object[], name = 'papers.jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'litbot-merge-'));
  writeFileSync(join(dir, name), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return dir;
}

describe('merging listings of one paper', () => {
  it('keeps two papers with different titles and the same abstract apart, and says so', () => {
    const corpus = loadCorpus(
      corpusOf([
        { title: 'Adapters That Forget', abstract: A },
        { title: 'A Quite Different Paper', abstract: A },
      ]),
    );
    expect(corpus.papers.map((p) => p.title)).toEqual(['Adapters That Forget', 'A Quite Different Paper']);
    expect(corpus.merges).toEqual([]);
    expect(corpus.duplicatesMerged).toBe(0);
    expect(corpus.notes).toEqual([
      {
        file: expect.stringMatching(/papers\.jsonl$/),
        line: 2,
        message: expect.stringMatching(/^same abstract as .*papers\.jsonl:1 \("Adapters That Forget"\) under a different title: kept as a separate paper$/),
      },
    ]);
  });

  it('keeps two papers with the same title and different abstracts apart, with distinct stable ids', () => {
    const records = [
      { title: 'Attention Is All You Need', abstract: A },
      { title: 'Attention is all you need!', abstract: B },
    ];
    const corpus = loadCorpus(corpusOf(records));
    expect(corpus.papers).toHaveLength(2);
    expect(corpus.papers.map((p) => p.abstract)).toEqual([A, B]);
    expect(new Set(corpus.papers.map((p) => p.id)).size).toBe(2);
    expect(corpus.notes.map((n) => [n.line, n.message])).toEqual([
      [2, expect.stringMatching(/^same title as .*papers\.jsonl:1 but a different abstract: kept as a separate paper$/)],
    ]);
    // Stable: the same corpus read again gives the same ids; the first listing keeps the title's own id.
    expect(loadCorpus(corpusOf(records)).papers.map((p) => p.id)).toEqual(corpus.papers.map((p) => p.id));
    expect(loadCorpus(corpusOf([records[0]])).papers[0].id).toBe(corpus.papers[0].id);
  });

  it('merges the same title with a nearly identical abstract (a revised version), and names both sources', () => {
    const revised = A.replace('halves forgetting on five benchmarks', 'halves forgetting on six benchmarks, at no extra cost');
    const corpus = loadCorpus(
      corpusOf([
        { title: 'Adapters That Forget', abstract: A },
        { title: 'Adapters that forget', abstract: revised, tags: ['cl'] },
      ]),
    );
    expect(corpus.papers).toHaveLength(1);
    expect(corpus.papers[0]).toMatchObject({ abstract: revised, tags: ['cl'] });
    expect(corpus.merges).toEqual([
      {
        paperId: corpus.papers[0].id,
        title: 'Adapters That Forget',
        reason: 'same title, nearly the same abstract',
        sources: [
          { file: expect.stringMatching(/papers\.jsonl$/), line: 1 },
          { file: expect.stringMatching(/papers\.jsonl$/), line: 2 },
        ],
      },
    ]);
  });

  it('merges listings with the same arXiv id or link even when their titles are written differently', () => {
    const corpus = loadCorpus(
      corpusOf([
        { title: 'Adapters That Forget', abstract: A, arxivId: '2401.01234v2' },
        { title: 'Adapters That Forget (extended version)', abstract: A, url: 'https://arxiv.org/pdf/2401.01234.pdf' },
        { title: 'Docking as Matching', abstract: B, url: 'https://www.example.org/papers/docking/' },
        { title: 'Docking as graph matching', abstract: B, url: 'http://example.org/papers/docking' },
      ]),
    );
    expect(corpus.papers.map((p) => [p.title, p.url])).toEqual([
      ['Adapters That Forget', 'https://arxiv.org/abs/2401.01234'],
      ['Docking as Matching', 'https://www.example.org/papers/docking/'],
    ]);
    expect(corpus.merges.map((m) => [m.reason, m.sources.map((s) => s.line)])).toEqual([
      ['same arXiv id', [1, 2]],
      ['same link', [3, 4]],
    ]);
    expect(linkKey('https://arxiv.org/abs/hep-th/9901001v3')).toBe('arxiv:hep-th/9901001');
  });

  it('merges an untitled listing with the titled listing of the same abstract, in either order', () => {
    const titledFirst = loadCorpus(corpusOf([{ title: 'Adapters That Forget', abstract: A }, { abstract: A }]));
    const untitledFirst = loadCorpus(corpusOf([{ abstract: A }, { title: 'Adapters That Forget', abstract: A }]));
    for (const corpus of [titledFirst, untitledFirst]) {
      expect(corpus.papers.map((p) => [p.title, p.titleDerived])).toEqual([['Adapters That Forget', false]]);
      expect(corpus.merges.map((m) => m.reason)).toEqual(['same abstract, one listing untitled']);
    }
    expect(untitledFirst.papers[0].id).toBe(titledFirst.papers[0].id);
  });

  it('keeps a title written in LaTeX and in Unicode under one id', () => {
    const corpus = loadCorpus(
      corpusOf([
        { title: 'T\\"ULU 3: Post-Training', abstract: A },
        { title: 'TÜLU 3: Post-Training', abstract: A },
      ]),
    );
    expect(corpus.papers.map((p) => p.title)).toEqual(['TÜLU 3: Post-Training']);
    expect(corpus.merges.map((m) => m.reason)).toEqual(['same title and abstract']);
    const greek = loadCorpus(
      corpusOf([
        { title: '$\\pi$-Tuning', abstract: B },
        { title: 'Pi-Tuning', abstract: B },
      ]),
    );
    expect(greek.papers.map((p) => p.title)).toEqual(['π-Tuning']);
  });
});

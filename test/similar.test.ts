import { beforeAll, describe, expect, it } from 'vitest';
import { similarPapers } from '../src/browse/similar.js';
import { PaperBrowser } from '../src/browse/paper-browser.js';
import { UserError } from '../src/errors.js';
import type { LitIndex } from '../src/indexing/load-index.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

describe('similar papers on hand-made vectors', () => {
  const vectors = new Map<string, Float32Array>([
    ['a', unit([1, 0, 0])],
    ['a-again', unit([1, 0.001, 0])],
    ['b', unit([0.9, 0.3, 0])],
    ['c', unit([0.5, 0.5, 0.5])],
    ['d', unit([0, 0, 1])],
    ['a-retitled', unit([0.8, 0.2, 0.5])],
  ]);
  const titles = new Map([
    ['a', 'Paper A: On Things'],
    ['a-again', 'Another listing'],
    ['b', 'Paper B'],
    ['c', 'Paper C'],
    ['d', 'Paper D'],
    ['a-retitled', 'paper a on things'],
  ]);

  it('ranks neighbours by cosine and excludes the paper itself', () => {
    const result = similarPapers(vectors, 'b', 3);
    expect(result.map((r) => r.paperId)).not.toContain('b');
    for (let i = 1; i < result.length; i++) expect(result[i - 1].score).toBeGreaterThanOrEqual(result[i].score);
  });

  it('excludes duplicates: the same normalised title or an all but identical vector', () => {
    const ids = similarPapers(vectors, 'a', 5, { titles }).map((r) => r.paperId);
    expect(ids).not.toContain('a');
    expect(ids).not.toContain('a-again');
    expect(ids).not.toContain('a-retitled');
    expect(ids).toEqual(['b', 'c', 'd']);
  });

  it('rejects k out of range and unknown papers with clear messages', () => {
    expect(() => similarPapers(vectors, 'a', 0)).toThrow(UserError);
    expect(() => similarPapers(vectors, 'a', 51)).toThrow(/from 1 to 50/);
    expect(() => similarPapers(vectors, 'a', 2.5)).toThrow(UserError);
    expect(() => similarPapers(vectors, 'nope', 3)).toThrow(/No paper with id nope/);
  });
});

describe('similar papers on the seed index', () => {
  let index: LitIndex;
  let browser: PaperBrowser;
  beforeAll(async () => {
    ({ index } = await createTestLitbot());
    browser = new PaperBrowser(index);
  });

  it('finds the paper by title and lists k neighbours without it', () => {
    const { paper, similar } = browser.similar('negative preference optimization', 5);
    expect(paper.title).toMatch(/^Negative Preference Optimization/);
    expect(similar).toHaveLength(5);
    expect(similar.map((s) => s.paperId)).not.toContain(paper.id);
    // Neighbours of an unlearning paper should mostly be about unlearning.
    expect(similar.filter((s) => /unlearn/i.test(s.paper.title + s.paper.abstract)).length).toBeGreaterThanOrEqual(3);
  });

  it('explains an unknown title and a bad k', () => {
    expect(() => browser.similar('xyzzy plugh qwerty', 5)).toThrow(/No paper title matches "xyzzy plugh qwerty"/);
    expect(() => browser.similar('lora dropout', 0)).toThrow(UserError);
    expect(() => browser.similar('lora dropout', 100)).toThrow(/from 1 to 50/);
  });
});

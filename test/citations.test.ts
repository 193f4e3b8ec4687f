import { describe, expect, it } from 'vitest';
import { citedNumbers, markersAreValid, renumberCitations } from '../src/answer/citations.js';

const sources = ['a', 'b', 'c', 'd'];

describe('renumberCitations', () => {
  it('numbers the cited sources 1..n in order of first use', () => {
    const r = renumberCitations('X holds [3]. Y holds [1]. Z again [3].', sources);
    expect(r.text).toBe('X holds [1]. Y holds [2]. Z again [1].');
    expect(r.cited.map((c) => [c.n, c.source, c.oldN])).toEqual([
      [1, 'c', 3],
      [2, 'a', 1],
    ]);
  });

  it('removes citations to sources that do not exist and closes the gap', () => {
    const r = renumberCitations('Real claim [2]. Invented claim [9]. Mixed [2, 7].', sources);
    expect(r.text).toBe('Real claim [1]. Invented claim. Mixed [1].');
    expect(r.removed).toEqual([7, 9]);
    expect(r.cited.map((c) => c.source)).toEqual(['b']);
  });

  it('merges adjacent markers and expands short ranges', () => {
    const r = renumberCitations('Both [4][2]. All [1-3].', sources);
    expect(r.text).toBe('Both [1, 2]. All [2, 3, 4].');
    expect(r.cited.map((c) => c.source)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('leaves Markdown links and bracketed words alone', () => {
    const r = renumberCitations('See [the paper](https://x.org/1) and [sic] [1].', sources);
    expect(r.text).toBe('See [the paper](https://x.org/1) and [sic] [1].');
  });

  it('cites nothing when the text has no markers', () => {
    expect(renumberCitations('No sources here.', sources).cited).toEqual([]);
  });
});

describe('citedNumbers and markersAreValid', () => {
  it('lists each number once in order of first use', () => {
    expect(citedNumbers('a [2] b [1, 2] c [3-4]')).toEqual([2, 1, 3, 4]);
  });
  it('rejects a marker beyond the source count', () => {
    expect(markersAreValid('a [1] b [2]', 2)).toBe(true);
    expect(markersAreValid('a [1] b [3]', 2)).toBe(false);
  });
});

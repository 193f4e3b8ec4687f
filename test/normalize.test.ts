import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { MAX_SENTENCE_CHARS, splitSentences } from '../src/corpus/normalize.js';

/** The splitter as it was: one Intl.Segmenter pass over the whole text (quadratic memory on long inputs). */
function referenceSplit(text: string): string[] {
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: string[] = [];
  for (const s of [...segmenter.segment(text)].map((x) => x.segment.trim()).filter(Boolean)) {
    const prev = out[out.length - 1];
    if (prev && (/\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|resp)\.$/i.test(prev) || !/[.!?)"'\]]$/.test(prev) || /^[a-z(\d]/.test(s))) out[out.length - 1] = `${prev} ${s}`;
    else out.push(s);
  }
  return out;
}

const SENTENCE = 'We show that adapters forget less when trained with replay, e.g. on GLUE. ';

describe('splitSentences', () => {
  it('splits every seed abstract exactly as a single segmenter pass does', () => {
    const abstracts = loadCorpus('seeds').papers.map((p) => p.abstract);
    expect(abstracts.length).toBe(158);
    for (const abstract of abstracts) expect(splitSentences(abstract)).toEqual(referenceSplit(abstract));
  });

  it('splits a 1 MB text into bounded sentences and loses no word', () => {
    const text = SENTENCE.repeat(Math.ceil((1024 * 1024) / SENTENCE.length));
    const sentences = splitSentences(text);
    expect(sentences.length).toBe(Math.ceil((1024 * 1024) / SENTENCE.length));
    expect(sentences[0]).toBe(SENTENCE.trim());
    expect(sentences.join(' ')).toBe(text.trim());
  });

  it('cuts a run with no sentence end at word boundaries, within the maximum sentence length', () => {
    const text = 'word '.repeat(100_000);
    const sentences = splitSentences(text);
    expect(Math.max(...sentences.map((s) => s.length))).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(sentences.every((s) => /^word( word)*$/.test(s))).toBe(true);
    expect(sentences.join(' ')).toBe(text.trim());
    // No spaces at all: cut anyway, never splitting a surrogate pair.
    const emoji = '😀'.repeat(50_000);
    const pieces = splitSentences(emoji);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((p) => !/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });

  it('splits 1 MB and 5 MB inputs in a child process capped at a 256 MB heap', () => {
    const script = `
      const { splitSentences } = await import(${JSON.stringify(new URL('../src/corpus/normalize.ts', import.meta.url).href)});
      const unit = ${JSON.stringify(SENTENCE)};
      for (const mb of [1, 5]) {
        const n = splitSentences(unit.repeat(Math.ceil(mb * 1024 * 1024 / unit.length))).length;
        console.log(mb + ' MB: ' + n + ' sentences');
      }`;
    const result = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stderr).not.toMatch(/heap out of memory/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`1 MB: ${Math.ceil((1024 * 1024) / SENTENCE.length)} sentences\n5 MB: ${Math.ceil((5 * 1024 * 1024) / SENTENCE.length)} sentences\n`);
  }, 130_000);
});

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { splitSentences } from '../src/corpus/normalize.js';
import { writeSyntheticCorpus } from '../src/measure/synthetic-corpus.js';

describe('the synthetic corpus of the large-collection bench', () => {
  it("writes the asked number of distinct, valid papers, the same for the same seed, from the seeds' sentences", () => {
    const a = join(mkdtempSync(join(tmpdir(), 'litbot-synthetic-')), 'corpus');
    const b = join(mkdtempSync(join(tmpdir(), 'litbot-synthetic-')), 'corpus');
    expect(writeSyntheticCorpus(a, { papers: 1200, perFile: 500 })).toMatchObject({ papers: 1200, files: 3 });
    writeSyntheticCorpus(b, { papers: 1200, perFile: 500 });
    for (const file of readdirSync(a)) expect(readFileSync(join(b, file), 'utf8')).toBe(readFileSync(join(a, file), 'utf8'));

    const corpus = loadCorpus(a);
    expect(corpus.issues).toEqual([]);
    expect(corpus.papers).toHaveLength(1200);
    expect(corpus.duplicatesMerged).toBe(0);
    // Real text: most sentences keep most of the words of a seed sentence.
    const seedWords = new Set(loadCorpus('seeds').papers.flatMap((p) => p.abstract.toLowerCase().split(/[^a-z]+/)));
    const words = corpus.papers.slice(0, 100).flatMap((p) =>
      p.abstract
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter(Boolean),
    );
    expect(words.filter((w) => seedWords.has(w)).length / words.length).toBeGreaterThan(0.95);
    const sentences = corpus.papers.slice(0, 100).flatMap((p) => splitSentences(p.abstract));
    expect(sentences.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.papers.map((p) => p.abstract)).size).toBe(1200);
  });
});

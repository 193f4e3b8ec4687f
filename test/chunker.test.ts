import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { splitSentences } from '../src/corpus/normalize.js';
import { chunkPaper, chunkPapers } from '../src/indexing/chunker.js';
import { UseLiteEmbedder } from '../src/indexing/embeddings/use-lite.js';

describe('chunking the seed abstracts with the USE-lite tokenizer', () => {
  const { papers } = loadCorpus('seeds');
  const embedder = new UseLiteEmbedder();
  beforeAll(() => embedder.init());

  it('counts tokens per word exactly as encoding the whole text does', () => {
    for (const p of papers.slice(0, 30)) {
      const text = `${p.title}. ${p.abstract}`;
      expect(embedder.countTokens(text)).toBe(embedder.encodeLength(text));
    }
  });

  it('keeps title plus chunk within the 128-token window, by the model tokenizer', () => {
    const chunks = chunkPapers(papers, { maxTokens: 128, overlapSentences: 1, countTokens: (t) => embedder.countTokens(t) });
    expect(chunks.length).toBeGreaterThan(papers.length * 3);
    for (const c of chunks) {
      expect(embedder.encodeLength(c.embedText)).toBeLessThanOrEqual(128);
      expect(c.embedText.endsWith(c.text)).toBe(true);
    }
  });

  it('covers every sentence, overlaps neighbours by one sentence and numbers chunks stably', () => {
    const paper = papers.find((p) => p.title.startsWith('Unlocking Continual Learning'))!;
    const chunks = chunkPaper(paper, { maxTokens: 128, overlapSentences: 1, countTokens: (t) => embedder.countTokens(t) });
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => `${paper.id}#${i}`));
    const sentences = splitSentences(paper.abstract);
    // Every sentence appears whole in a chunk, or (when longer than the window) its start and end do.
    for (const s of sentences) {
      const words = s.split(' ');
      const whole = chunks.some((c) => c.text.includes(s));
      const head = chunks.some((c) => c.text.includes(words.slice(0, 4).join(' ')));
      const tail = chunks.some((c) => c.text.includes(words.slice(-4).join(' ')));
      expect(whole || (head && tail)).toBe(true);
    }
    const fits = (text: string) => embedder.countTokens(`${paper.title}. ${text}`) <= 128;
    let overlapping = 0;
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = splitSentences(chunks[i - 1].text).at(-1)!;
      expect(chunks[i - 1].text.includes(chunks[i].text)).toBe(false);
      if (chunks[i].text.startsWith(previousLast)) overlapping++;
      // No overlap only where the shared sentence and the next one cannot fit one window.
      else expect(fits(`${previousLast} ${splitSentences(chunks[i].text)[0]}`)).toBe(false);
    }
    expect(overlapping).toBeGreaterThan(0);
    expect(chunkPaper(paper, { maxTokens: 128, overlapSentences: 1, countTokens: (t) => embedder.countTokens(t) })).toEqual(chunks);
  });

  it('splits a sentence longer than the window at word boundaries', () => {
    const long = { ...papers[0], abstract: `${'word '.repeat(400).trim()}.` };
    const chunks = chunkPaper(long, { maxTokens: 64, overlapSentences: 1, countTokens: (t) => embedder.countTokens(t) });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(embedder.encodeLength(c.embedText)).toBeLessThanOrEqual(64);
  });
});

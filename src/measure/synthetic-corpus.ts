/**
 * A synthetic corpus of any size for the large-collection bench (`npm run bench -- --corpus-20k`),
 * generated, never committed. Every paper is assembled from the seed corpus: its title is a seed
 * title with some words swapped for other seed-title words, its abstract a few sentences drawn
 * from different seed abstracts with some content words swapped for other words of the seeds'
 * vocabulary. BM25 and the embedder so see real sentences and a real vocabulary, and no two
 * papers (or chunks) are the same text. The generator is deterministic for a given seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus } from '../corpus/load-corpus.js';
import { splitSentences } from '../corpus/normalize.js';
import { seededRandom } from '../browse/spherical-kmeans.js';

export interface SyntheticCorpusOptions {
  papers: number;
  /** Folder of the corpus the text is drawn from. */
  seedsDir?: string;
  /** PRNG seed: the same seed gives the same corpus. */
  seed?: number;
  /** Papers per JSON Lines file. */
  perFile?: number;
  /** Sentences per abstract, inclusive range. Short abstracts keep the chunk count near the probe's (20k papers, 33k chunks). */
  sentences?: [number, number];
}

export interface SyntheticCorpusInfo {
  dir: string;
  papers: number;
  files: number;
  bytes: number;
}

const WORD = /^[a-z][a-z-]{3,}$/;
const KEEP = new Set(
  'this that these those which with from into their there have been were what when where while about through between under over also more most such than then they them other only both each many much very well upon without within across after before during against'.split(
    ' ',
  ),
);

/** Writes `papers` JSON Lines records into `dir` (created if needed) and says what it wrote. */
export function writeSyntheticCorpus(dir: string, options: SyntheticCorpusOptions): SyntheticCorpusInfo {
  const random = seededRandom(options.seed ?? 20_000);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const seeds = loadCorpus(options.seedsDir ?? 'seeds', { skipInvalid: true }).papers;
  const sentences = seeds.flatMap((p) => splitSentences(p.abstract)).filter((s) => s.length >= 60 && s.length <= 320 && !/https?:|\$|\\/.test(s));
  const vocabulary = [...new Set(seeds.flatMap((p) => p.abstract.toLowerCase().split(/[^a-z-]+/)).filter((w) => WORD.test(w) && !KEEP.has(w)))];
  const titleWords = [...new Set(seeds.flatMap((p) => p.title.split(/\s+/)).filter((w) => /^[A-Za-z][A-Za-z-]{3,}$/.test(w) && !KEEP.has(w.toLowerCase())))];
  const authors = [...new Set(seeds.flatMap((p) => p.authors ?? []))];
  const [minSentences, maxSentences] = options.sentences ?? [2, 4];
  const perFile = options.perFile ?? 1000;

  // Swaps about one content word in `rate` for another word of the same pool, keeping capitals.
  const vary = (text: string, pool: string[], rate: number) =>
    text.replace(/[A-Za-z][A-Za-z-]{3,}/g, (word) => {
      if (KEEP.has(word.toLowerCase()) || random() >= rate) return word;
      const other = pick(pool);
      return /^[A-Z]/.test(word) ? other.charAt(0).toUpperCase() + other.slice(1) : other.toLowerCase();
    });

  mkdirSync(dir, { recursive: true });
  const titles = new Set<string>();
  let bytes = 0;
  let files = 0;
  for (let start = 0; start < options.papers; start += perFile) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(options.papers, start + perFile); i++) {
      let title = '';
      while (!title || titles.has(title.toLowerCase())) title = vary(pick(seeds).title, titleWords, 0.35);
      titles.add(title.toLowerCase());
      const count = minSentences + Math.floor(random() * (maxSentences - minSentences + 1));
      const abstract = Array.from({ length: count }, () => vary(pick(sentences), vocabulary, 0.12)).join(' ');
      const year = 2019 + Math.floor(random() * 7);
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * 28);
      lines.push(
        JSON.stringify({
          title,
          abstract,
          url: `https://example.org/synthetic/${i}`,
          authors: authors.length ? Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(authors)).filter((a, j, all) => all.indexOf(a) === j) : undefined,
          date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        }),
      );
    }
    const text = `${lines.join('\n')}\n`;
    writeFileSync(join(dir, `synthetic-${String(files).padStart(3, '0')}.jsonl`), text);
    bytes += Buffer.byteLength(text);
    files++;
  }
  return { dir, papers: options.papers, files, bytes };
}

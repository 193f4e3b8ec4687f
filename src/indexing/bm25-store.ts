/**
 * Lexical search over the chunks: BM25 (MiniSearch's BM25+ scoring) with English stop words
 * removed and Porter stemming, so "forgetting" finds "forget".
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import type { Chunk } from '../retrieval/types.js';

const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves also us may might must shall there's it's i'm i've i'd what's how's can't don't doesn't isn't aren't using use used via based paper papers work works study studies propose proposes proposed approach approaches method methods show shows shown new novel`.split(
    /\s+/,
  ),
);

/** Lower case, stop words out, stemmed; `null` drops the term. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase().replace(/^'+|'+$/g, '');
  if (lower.length < 2 || STOP_WORDS.has(lower)) return null;
  return stemmer(lower);
}

interface Doc {
  id: string;
  title: string;
  text: string;
}

const OPTIONS = {
  fields: ['title', 'text'],
  storeFields: [] as string[],
  processTerm,
  // Keep hyphenated words and acronyms like "LoRA-based" or "SE(3)" as separate terms.
  tokenize: (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean),
};

/** BM25 parameters; the defaults from the literature, slightly lower `b` for short abstracts. */
const BM25 = { k: 1.2, b: 0.6, d: 0.5 };

export class Bm25Store {
  private constructor(
    private readonly search_: MiniSearch<Doc>,
    readonly vocabulary: Set<string>,
  ) {}

  static build(chunks: Chunk[], titleOf: (paperId: string) => string): Bm25Store {
    const ms = new MiniSearch<Doc>(OPTIONS);
    ms.addAll(chunks.map((c) => ({ id: c.id, title: titleOf(c.paperId), text: c.text })));
    return new Bm25Store(ms, vocabularyOf(chunks, titleOf));
  }

  static fromJSON(json: string, chunks: Chunk[], titleOf: (paperId: string) => string): Bm25Store {
    return new Bm25Store(MiniSearch.loadJSON<Doc>(json, OPTIONS), vocabularyOf(chunks, titleOf));
  }

  toJSON(): string {
    return JSON.stringify(this.search_);
  }

  /** Chunk ids with BM25 scores, best first. */
  search(query: string, limit: number): { chunkId: string; score: number }[] {
    return this.search_
      .search(query, { boost: { title: 1.5 }, combineWith: 'OR', bm25: BM25 })
      .slice(0, limit)
      .map((r) => ({ chunkId: String(r.id), score: r.score }));
  }

  /** The query's content terms, as the index sees them. */
  static terms(query: string): string[] {
    return OPTIONS.tokenize(query)
      .map(processTerm)
      .filter((t): t is string => t !== null);
  }
}

function vocabularyOf(chunks: Chunk[], titleOf: (paperId: string) => string): Set<string> {
  const vocabulary = new Set<string>();
  for (const c of chunks) for (const t of Bm25Store.terms(`${titleOf(c.paperId)} ${c.text}`)) vocabulary.add(t);
  return vocabulary;
}

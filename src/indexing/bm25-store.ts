/**
 * Lexical search over the chunks: BM25 (MiniSearch's BM25+ scoring) with English stop words
 * removed and Porter stemming, so "forgetting" finds "forget".
 */
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';

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

/** What BM25 indexes: a chunk (with its paper's title) or a whole paper. */
export interface Bm25Doc {
  id: string;
  title: string;
  text: string;
}
type Doc = Bm25Doc;

const OPTIONS = {
  fields: ['title', 'text'],
  storeFields: [] as string[],
  processTerm,
  // Keep hyphenated words and acronyms like "LoRA-based" or "SE(3)" as separate terms.
  tokenize: (text: string) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean),
};

/** BM25 parameters; the defaults from the literature, slightly lower `b` for short abstracts. */
export const BM25 = { k: 1.2, b: 0.6, d: 0.5 };

export class Bm25Store {
  private constructor(
    private readonly search_: MiniSearch<Doc>,
    readonly vocabulary: Set<string>,
  ) {}

  static build(docs: Bm25Doc[]): Bm25Store {
    const ms = new MiniSearch<Doc>(OPTIONS);
    ms.addAll(docs);
    return new Bm25Store(ms, vocabularyOf(docs));
  }

  static fromJSON(json: string, docs: Bm25Doc[]): Bm25Store {
    return new Bm25Store(MiniSearch.loadJSON<Doc>(json, OPTIONS), vocabularyOf(docs));
  }

  toJSON(): string {
    return JSON.stringify(this.search_);
  }

  /** Document ids with BM25 scores, best first; `fields` scores one field alone (the learned ranker reads the title's and the abstract's apart). */
  search(query: string, limit: number, fields?: ('title' | 'text')[]): { id: string; score: number }[] {
    return this.search_
      .search(query, { boost: { title: 1.5 }, combineWith: 'OR', bm25: BM25, ...(fields ? { fields } : {}) })
      .slice(0, limit)
      .map((r) => ({ id: String(r.id), score: r.score }));
  }

  /** The query's content terms, as the index sees them. */
  static terms(query: string): string[] {
    return OPTIONS.tokenize(query)
      .map(processTerm)
      .filter((t): t is string => t !== null);
  }
}

function vocabularyOf(docs: Bm25Doc[]): Set<string> {
  const vocabulary = new Set<string>();
  for (const d of docs) for (const t of Bm25Store.terms(`${d.title} ${d.text}`)) vocabulary.add(t);
  return vocabulary;
}

/** Chunks as BM25 documents, each carrying its paper's title. */
export function chunkDocs(chunks: { id: string; paperId: string; text: string }[], titleOf: (paperId: string) => string): Bm25Doc[] {
  return chunks.map((c) => ({ id: c.id, title: titleOf(c.paperId), text: c.text }));
}

/** Whole papers as BM25 documents: ranking papers on their full abstract beats their best chunk. */
export function paperDocs(papers: { id: string; title: string; abstract: string }[]): Bm25Doc[] {
  return papers.map((p) => ({ id: p.id, title: p.title, text: p.abstract }));
}

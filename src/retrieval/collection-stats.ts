/**
 * What the retriever, the spelling corrector and the answer decision know about the whole
 * collection: how many papers use each (stemmed) content word, how often each written word
 * occurs, each paper's set of content words, and which names it mentions, acronyms spelt out
 * included ("SVD" for "singular value decomposition"). The counts over every paper are computed
 * at `npm run index` (`buildVocabulary`, kept in the index: at 20,000 papers counting takes
 * seconds); per-paper term sets are made when a paper is first a candidate. Shared per list of papers.
 */
import type { Paper } from '../corpus/paper.js';
import { contentTerms, termSet, words } from '../answer/terms.js';

type PaperText = Pick<Paper, 'id' | 'title' | 'abstract'>;

/** The counts over the whole collection, as the index keeps them. */
export interface Vocabulary {
  papers: number;
  /** Papers containing each stemmed content term. */
  df: Map<string, number>;
  /** Occurrences of each lower-cased word of titles and abstracts, hyphenated words also joined and split. */
  wordFreq: Map<string, number>;
}

/** Counts the collection's terms and words (at index time). */
export function buildVocabulary(papers: readonly Pick<Paper, 'title' | 'abstract'>[]): Vocabulary {
  const df = new Map<string, number>();
  const wordFreq = new Map<string, number>();
  const count = (w: string) => wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
  for (const p of papers) {
    const text = `${p.title} ${p.abstract}`;
    for (const t of termSet(text)) df.set(t, (df.get(t) ?? 0) + 1);
    for (const w of words(text)) {
      count(w);
      if (w.includes('-')) {
        count(w.replace(/-/g, ''));
        for (const part of w.split('-')) if (part) count(part);
      }
    }
  }
  return { papers: papers.length, df, wordFreq };
}

export class CollectionStats {
  /** Number of papers. */
  readonly papers: number;
  /** Papers containing each stemmed content term. */
  readonly df: Map<string, number>;
  /** Occurrences of each lower-cased word of titles and abstracts, hyphenated words also joined and split. */
  readonly wordFreq: Map<string, number>;
  /** The largest idf any term the collection uses can have; words it never uses get this much. */
  readonly maxIdf: number;
  private readonly byId: Map<string, PaperText>;
  private readonly termsMemo = new Map<string, Set<string>>();
  private readonly titleTermsMemo = new Map<string, Set<string>>();
  private readonly bigramsMemo = new Map<string, Set<string>>();
  private readonly acronymMemo = new Map<string, boolean>();
  private lowerTexts?: string[];

  /** `vocabulary`: the counts kept in the index for these papers; without it they are counted now. */
  constructor(
    private readonly list: readonly PaperText[],
    vocabulary?: Vocabulary,
  ) {
    const v = vocabulary?.wordFreq && vocabulary.papers === list.length ? vocabulary : buildVocabulary(list);
    this.papers = list.length;
    this.df = v.df;
    this.wordFreq = v.wordFreq;
    this.byId = new Map(list.map((p) => [p.id, p]));
    this.maxIdf = Math.log((this.papers + 1) / 0.5);
  }

  /** Rarity of a stemmed term; a term the collection never uses weighs as much as it can. */
  idf(term: string): number {
    return Math.log((this.papers + 1) / ((this.df.get(term) ?? 0) + 0.5));
  }

  /** The distinct stemmed content terms of a paper's title and abstract. */
  termsOf(paperId: string): Set<string> {
    let set = this.termsMemo.get(paperId);
    if (!set) {
      const p = this.byId.get(paperId);
      set = p ? termSet(`${p.title} ${p.abstract}`) : new Set();
      this.termsMemo.set(paperId, set);
    }
    return set;
  }

  /** The distinct stemmed content terms of a paper's title. */
  titleTermsOf(paperId: string): Set<string> {
    let set = this.titleTermsMemo.get(paperId);
    if (!set) {
      set = termSet(this.byId.get(paperId)?.title ?? '');
      this.titleTermsMemo.set(paperId, set);
    }
    return set;
  }

  /** Pairs of consecutive content terms ("catastroph forget") of a paper's title and abstract, stop words skipped. */
  bigramsOf(paperId: string): Set<string> {
    let set = this.bigramsMemo.get(paperId);
    if (!set) {
      const p = this.byId.get(paperId);
      set = p ? CollectionStats.bigrams(`${p.title}. ${p.abstract}`) : new Set();
      this.bigramsMemo.set(paperId, set);
    }
    return set;
  }

  /** Pairs of consecutive content terms of a text. */
  static bigrams(text: string): Set<string> {
    const out = new Set<string>();
    for (const clause of text.split(/[.,;:!?()]/)) {
      const terms = contentTerms(clause);
      for (let i = 1; i < terms.length; i++) out.add(`${terms[i - 1]} ${terms[i]}`);
    }
    return out;
  }

  /** Whether the collection uses this word (any case; a plural "s", hyphens and dots tolerated). */
  knowsWord(word: string): boolean {
    const w = word.toLowerCase();
    return (
      this.wordFreq.has(w) ||
      this.wordFreq.has(w.replace(/[-.]/g, '')) ||
      (w.length > 3 && /s$/.test(w) && this.wordFreq.has(w.slice(0, -1))) ||
      (/['’]s$/.test(w) && this.wordFreq.has(w.slice(0, -2)))
    );
  }

  /**
   * Whether the collection mentions a name: as a word, or, for an all-caps name of two to six
   * letters, as consecutive words with those initials ("SVD": "singular value decomposition").
   */
  knowsName(name: string): boolean {
    if (this.knowsWord(name)) return true;
    const letters = name.replace(/s$/, '');
    if (!/^[A-Z]{2,6}$/.test(letters)) return false;
    let known = this.acronymMemo.get(letters);
    if (known === undefined) {
      // Scanned on demand: all-caps names the collection does not use as words are rare in questions.
      this.lowerTexts ??= this.list.map((p) => `${p.title}. ${p.abstract}`.toLowerCase());
      const pattern = new RegExp(`\\b${[...letters.toLowerCase()].map((c) => `${c}[a-z]+`).join('[ -]')}\\b`);
      known = this.lowerTexts.some((t) => pattern.test(t));
      this.acronymMemo.set(letters, known);
    }
    return known;
  }

  /** The question's distinct stemmed content terms. */
  static questionTerms(text: string): string[] {
    return [...new Set(contentTerms(text))];
  }
}

const shared = new WeakMap<readonly PaperText[], CollectionStats>();

/** The statistics of this list of papers, made once per list (from the index's `vocabulary` when given). */
export function collectionStats(papers: readonly PaperText[], vocabulary?: () => Vocabulary | undefined): CollectionStats {
  let stats = shared.get(papers);
  if (!stats) {
    stats = new CollectionStats(papers, vocabulary?.());
    shared.set(papers, stats);
  }
  return stats;
}

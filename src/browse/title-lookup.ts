/**
 * Fuzzy title lookup for autocomplete: partial words, any case, acronyms and typos, best first,
 * within a few milliseconds for 100,000 titles (Discord gives autocomplete three seconds end to end).
 *
 * An inverted index from title words to titles. Each query word matches title words exactly, as
 * a prefix ("contin" → "continual"), as a method name the abstract introduces ("MIGU"), as the
 * title's initials ("npo" → "Negative Preference Optimization ...") or, when nothing else
 * matches, within one or two typos (candidates from a trigram index, checked by edit distance).
 * Titles matching every query word rank first, scored by how well each word matched.
 * (fuzzysort, tried first, needed about 230 ms a query at 100,000 titles: too slow here.)
 */
import type { Paper } from '../corpus/paper.js';
import type { LookupMatch } from './types.js';

export interface TitleEntry {
  paperId: string;
  title: string;
  /** Other names the paper goes by, e.g. the method name its abstract introduces. */
  aliases?: string[];
}

/** Acronyms so common in the field that they name no one paper. */
const COMMON_ACRONYMS = new Set('AI ML NLP NLU NLG LLM LLMS LM LMS RL RLHF KB KD CL IL NER LSTM RNN CNN GPT GPT-4 GPT-3 SFT PEFT API SOTA QA ICL COT MLLM MLLMS'.split(' '));

const INTRODUCED = /\b(?:introduce|propose|present|develop|call|name|dub|term)(?:s|d|ed)?\b[^.]{0,60}?\b([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*)\b/g;

/**
 * Names a paper goes by besides its title: the acronym before a colon in the title is already
 * there, so these are the method or benchmark names its abstract introduces ("we introduce MIGU").
 */
export function paperAliases(paper: Pick<Paper, 'title' | 'abstract'>): string[] {
  const found = new Set<string>();
  for (const m of paper.abstract.matchAll(INTRODUCED)) {
    const name = m[1];
    if (name.length < 3 || name.length > 24 || COMMON_ACRONYMS.has(name.toUpperCase())) continue;
    if (paper.title.toLowerCase().includes(name.toLowerCase())) continue;
    found.add(name);
  }
  return [...found];
}

const SMALL_WORDS = new Set('a an and as at by for from in into of on or the to via with without vs is are its'.split(' '));

/** "TÜLU" → "TULU": people type titles without their accents. */
function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

function titleWords(text: string): string[] {
  return foldAccents(text.toLowerCase())
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** First letters of the title's content words, e.g. "Negative Preference Optimization: ..." → "npofccteu". */
function initialsOf(title: string): string {
  return title
    .split(/[\s:–—-]+/)
    .map((w) => w.replace(/[^A-Za-z0-9]/g, ''))
    .filter((w) => w && !SMALL_WORDS.has(w.toLowerCase()))
    .map((w) => w[0].toLowerCase())
    .join('');
}

function trigrams(word: string): string[] {
  const padded = `  ${word} `;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), stopping past `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** Typos forgiven per word: none for short words, one from 4 letters, two from 8. */
function allowedTypos(word: string): number {
  return word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
}

/** How well a title word matches a query word, in (0, 1]. */
const EXACT = 1;
const ALIAS = 0.97;
const INITIALS = 0.9;
const TYPO = 0.8;
/** A prefix scores between these, more the more of the word is typed. */
const PREFIX_MIN = 0.7;
const PREFIX_SPAN = 0.25;
/** Share of the score kept for typing several words in the order the title has them. */
const PHRASE_BONUS = 0.05;
/** Postings read per query word at most: bounds the time of one-letter prefixes. */
const MAX_POSTINGS = 300_000;

/** The best `size` items seen, by `before`; a bounded insertion list (size is small). */
class TopK<T> {
  private readonly list: T[] = [];
  constructor(
    private readonly size: number,
    private readonly before: (a: T, b: T) => boolean,
  ) {}

  offer(item: T): void {
    const list = this.list;
    if (list.length === this.size && !this.before(item, list[list.length - 1])) return;
    let i = list.length < this.size ? list.length : list.length - 1;
    if (list.length < this.size) list.push(item);
    while (i > 0 && this.before(item, list[i - 1])) {
      list[i] = list[i - 1];
      i--;
    }
    list[i] = item;
  }

  /** Whether `item` would enter the list (an upper bound on its rank is enough). */
  couldTake(item: T): boolean {
    return this.list.length < this.size || this.before(item, this.list[this.list.length - 1]);
  }

  items(): T[] {
    return this.list;
  }
}

interface WordMatches {
  word: string;
  /** Vocabulary id → match quality. */
  quality: Map<number, number>;
  /** Titles containing any matched word (upper bound, with repeats). */
  postings: number;
}

export class TitleIndex {
  private readonly entries: TitleEntry[];
  /** Sorted distinct title words (and alias words); ids index this array. */
  private readonly vocabulary: string[];
  /** Titles containing each vocabulary word in the title itself, and in an alias. */
  private readonly wordTitles: Int32Array[];
  private readonly aliasTitles: Int32Array[];
  /** Per query word, each title's best match quality; reused across queries. */
  private readonly buffers: Float32Array[] = [];
  /** Each title as its words joined by single spaces, with a leading space, for phrase matches. */
  private readonly phrases: string[];
  private seen?: Uint8Array;
  private trigramCounts?: Uint16Array;
  private readonly initials: string[];
  /** Sorted initials with their titles, for prefix search. */
  private readonly initialsSorted: { initials: string; title: number }[];
  private readonly trigramPostings = new Map<string, number[]>();

  constructor(entries: TitleEntry[]) {
    this.entries = entries;
    const words = new Map<string, { titles: number[]; aliases: number[] }>();
    const posting = (w: string) => {
      let p = words.get(w);
      if (!p) words.set(w, (p = { titles: [], aliases: [] }));
      return p;
    };
    entries.forEach((e, t) => {
      const title = new Set(titleWords(e.title));
      for (const w of title) posting(w).titles.push(t);
      for (const w of new Set(titleWords((e.aliases ?? []).join(' ')))) if (!title.has(w)) posting(w).aliases.push(t);
    });
    this.phrases = entries.map((e) => ` ${titleWords(e.title).join(' ')}`);
    this.vocabulary = [...words.keys()].sort();
    this.wordTitles = this.vocabulary.map((w) => Int32Array.from(words.get(w)!.titles));
    this.aliasTitles = this.vocabulary.map((w) => Int32Array.from(words.get(w)!.aliases));
    this.initials = entries.map((e) => initialsOf(foldAccents(e.title)));
    this.initialsSorted = this.initials
      .map((initials, title) => ({ initials, title }))
      .sort((a, b) => (a.initials < b.initials ? -1 : a.initials > b.initials ? 1 : a.title - b.title));
    this.vocabulary.forEach((word, id) => {
      for (const g of new Set(trigrams(word))) {
        const list = this.trigramPostings.get(g) ?? [];
        list.push(id);
        this.trigramPostings.set(g, list);
      }
    });
  }

  /** Builds the index from papers, with the names their abstracts introduce as aliases. */
  static fromPapers(papers: Pick<Paper, 'id' | 'title' | 'abstract'>[]): TitleIndex {
    return new TitleIndex(papers.map((p) => ({ paperId: p.id, title: p.title, aliases: paperAliases(p) })));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Titles matching `query`, best first, scores in (0, 1]. An empty query matches nothing. */
  search(query: string, limit = 10): LookupMatch[] {
    let words = titleWords(query);
    const content = words.filter((w) => !SMALL_WORDS.has(w));
    if (content.length) words = content;
    words = [...new Set(words)];
    if (!words.length || limit <= 0) return [];

    const matches = words.map((w) => this.wordMatches(w, false));
    let scored = this.score(matches, true, limit);
    if (!scored.length) {
      // Nothing has every word as typed: forgive typos, and let most of the words suffice.
      const forgiving = words.map((w, i) => (matches[i].quality.size ? this.withTypos(matches[i]) : this.wordMatches(w, true)));
      scored = this.score(forgiving, false, limit);
    }
    const initials = words.length === 1 ? this.initialsMatches(words[0]) : [];
    const best = new Map<number, number>();
    for (const [t, s] of [...scored, ...initials]) if ((best.get(t) ?? 0) < s) best.set(t, s);
    return [...best.entries()]
      .sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0))
      .slice(0, limit)
      .map(([t, s]) => ({ paperId: this.entries[t].paperId, title: this.entries[t].title, score: Number(s.toFixed(4)) }));
  }

  /** Vocabulary words starting with `word` (binary search on the sorted vocabulary). */
  private prefixRange(word: string): [number, number] {
    const lower = (target: string) => {
      let lo = 0;
      let hi = this.vocabulary.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.vocabulary[mid] < target) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return [lower(word), lower(`${word}\uffff`)];
  }

  private wordMatches(word: string, typos: boolean): WordMatches {
    const quality = new Map<number, number>();
    const [from, to] = this.prefixRange(word);
    let postings = 0;
    for (let id = from; id < to; id++) {
      const candidate = this.vocabulary[id];
      quality.set(id, candidate === word ? EXACT : PREFIX_MIN + (PREFIX_SPAN * word.length) / candidate.length);
      postings += this.wordTitles[id].length + this.aliasTitles[id].length;
    }
    const result = { word, quality, postings };
    return typos ? this.withTypos(result) : result;
  }

  private withTypos(matches: WordMatches): WordMatches {
    const quality = new Map(matches.quality);
    let postings = matches.postings;
    for (const { id, similarity } of this.similarWords(matches.word)) {
      if (quality.has(id)) continue;
      quality.set(id, TYPO * similarity);
      postings += this.wordTitles[id].length + this.aliasTitles[id].length;
    }
    return { word: matches.word, quality, postings };
  }

  /**
   * Scores titles: each query word contributes its best match in the title, weighted by its
   * length; `all` keeps only titles matching every word, otherwise at least half the weight.
   * Works on one quality array per query word (typed arrays, reused): the cost is the postings
   * read, a few milliseconds even when a word is in every tenth of 100,000 titles.
   */
  private score(matches: WordMatches[], all: boolean, limit: number): [number, number][] {
    if (all && matches.some((m) => m.quality.size === 0)) return [];
    const phrase = matches.length > 1 ? ` ${matches.map((m) => m.word).join(' ')}` : undefined;
    const n = this.entries.length;
    const weights = matches.map((m) => m.word.length);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const touched: number[][] = matches.map(() => []);
    const qualities = matches.map((m, i) => {
      const buffer = (this.buffers[i] ??= new Float32Array(n));
      buffer.fill(0);
      let budget = MAX_POSTINGS;
      for (const [id, q] of m.quality) {
        for (const [list, factor] of [
          [this.wordTitles[id], 1],
          [this.aliasTitles[id], ALIAS],
        ] as const) {
          const value = q * factor;
          for (let j = 0; j < list.length; j++) {
            const t = list[j];
            if (buffer[t] === 0) touched[i].push(t);
            if (buffer[t] < value) buffer[t] = value;
          }
          budget -= list.length;
        }
        if (budget <= 0) break;
      }
      return buffer;
    });
    let candidates: Iterable<number>;
    if (all) {
      candidates = touched.reduce((a, b) => (b.length < a.length ? b : a));
    } else {
      const seen = (this.seen ??= new Uint8Array(n));
      const union: number[] = [];
      for (const list of touched) {
        for (const t of list) {
          if (seen[t]) continue;
          seen[t] = 1;
          union.push(t);
        }
      }
      for (const t of union) seen[t] = 0;
      candidates = union;
    }
    const top = new TopK<[number, number]>(limit, (a, b) => this.before(a, b));
    for (const t of candidates) {
      let sum = 0;
      let matched = 0;
      for (let i = 0; i < qualities.length; i++) {
        const q = qualities[i][t];
        if (q > 0) matched++;
        sum += q * weights[i];
      }
      if (all && matched < qualities.length) continue;
      const base = (sum / totalWeight) * (all ? 1 : 0.9);
      if (!all && base < 0.45 * 0.9) continue;
      // Checked only for titles that could still make the list: the string search is the costly part.
      if (!top.couldTake([t, base])) continue;
      // The words typed as a run in the title ("continual l" in "... Continual Learning ...") beat
      // the same words scattered over it.
      const inOrder = phrase !== undefined && this.phrases[t].includes(phrase);
      top.offer([t, base * (inOrder ? 1 : 1 - PHRASE_BONUS)]);
    }
    return top.items();
  }

  /** Best first: higher score, then the shorter title, then the earlier entry. */
  private before(a: [number, number], b: [number, number]): boolean {
    if (a[1] !== b[1]) return a[1] > b[1];
    const la = this.entries[a[0]].title.length;
    const lb = this.entries[b[0]].title.length;
    return la !== lb ? la < lb : a[0] < b[0];
  }

  /** Titles whose initials start with `word` ("npo"), for acronym queries. */
  private initialsMatches(word: string): [number, number][] {
    if (word.length < 2 || word.length > 10) return [];
    let lo = 0;
    let hi = this.initialsSorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.initialsSorted[mid].initials < word) lo = mid + 1;
      else hi = mid;
    }
    const out: [number, number][] = [];
    for (let i = lo; i < this.initialsSorted.length && out.length < 200; i++) {
      const { initials, title } = this.initialsSorted[i];
      if (!initials.startsWith(word)) break;
      // Initials are weaker evidence than words, and more so the longer the title runs on.
      out.push([title, INITIALS * (0.8 + (0.2 * word.length) / initials.length)]);
    }
    return out;
  }

  /** Title words within the allowed typos of `word`, with a similarity in (0, 1]. */
  private similarWords(word: string): { id: number; similarity: number }[] {
    const max = allowedTypos(word);
    if (max === 0) return [];
    const counts = (this.trigramCounts ??= new Uint16Array(this.vocabulary.length));
    const touched: number[] = [];
    const grams = trigrams(word);
    for (const g of new Set(grams)) {
      const posting = this.trigramPostings.get(g);
      if (!posting) continue;
      for (const id of posting) if (counts[id]++ === 0) touched.push(id);
    }
    const out: { id: number; similarity: number }[] = [];
    // A word within k edits shares at least (trigrams - 3k) of them: skip the rest cheaply.
    const needed = grams.length - 3 * max;
    for (const id of touched) {
      const count = counts[id];
      counts[id] = 0;
      if (count < needed) continue;
      const candidate = this.vocabulary[id];
      const d = editDistance(word, candidate, max);
      if (d <= max) out.push({ id, similarity: 1 - d / (word.length + 1) });
    }
    return out;
  }
}

/**
 * Lexical search over the chunks and papers: BM25+ over two fields (title boosted 1.5, text), with
 * English stop words removed and Porter stemming, so "forgetting" finds "forget".
 *
 * Scores are MiniSearch's (7.x) to the last bit: the same tokenizer, term processing, field
 * lengths (distinct raw tokens), running average field length, BM25+ formula, summation order,
 * "quality" factor (distinct query terms matched) and tie order, which a test checks against
 * MiniSearch itself. MiniSearch ran this until the 20,000-paper bench showed its cost there:
 * loading its JSON rebuilt a radix tree of Maps, and a query allocated an object per matching
 * document. This store keeps the postings in typed arrays in one binary file, loaded without
 * parsing, and scores into reusable typed arrays (docs/index.md).
 */
import { stemmer } from 'stemmer';
import { foldAccents } from '../corpus/normalize.js';

const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves also us may might must shall there's it's i'm i've i'd what's how's can't don't doesn't isn't aren't using use used via based paper papers work works study studies propose proposes proposed approach approaches method methods show shows shown new novel`.split(
    /\s+/,
  ),
);

/** Lower case without accents (people type "tulu" for "TÜLU"), stop words out, stemmed; `null` drops the term. */
export function processTerm(term: string): string | null {
  const lower = foldAccents(term)
    .toLowerCase()
    .replace(/^'+|'+$/g, '');
  if (lower.length < 2 || STOP_WORDS.has(lower)) return null;
  return stemmer(lower);
}

/** Keeps hyphenated words and acronyms like "LoRA-based" or "SE(3)" as separate terms. */
function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** What BM25 indexes: a chunk (with its paper's title) or a whole paper. */
export interface Bm25Doc {
  id: string;
  title: string;
  text: string;
}

/** BM25 parameters; the defaults from the literature, slightly lower `b` for short abstracts. */
export const BM25 = { k: 1.2, b: 0.6, d: 0.5 };

/** Field boosts, in field order. */
const FIELDS = ['title', 'text'] as const;
const BOOST = [1.5, 1];

/** The terms the index holds; `has` answers whether a processed term occurs anywhere. */
export interface TermSet {
  has(term: string): boolean;
  readonly size: number;
}

const MAGIC = 'LITBM25\u0001';

/** Sorted strings with binary search: a term dictionary that costs one split to load. */
class SortedTerms implements TermSet {
  constructor(readonly terms: string[]) {}
  get size(): number {
    return this.terms.length;
  }
  indexOf(term: string): number {
    let lo = 0;
    let hi = this.terms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.terms[mid];
      if (t === term) return mid;
      if (t < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
  has(term: string): boolean {
    return this.indexOf(term) >= 0;
  }
}

interface Postings {
  docCount: number;
  ids: string[];
  /** Distinct raw tokens per document and field: `fieldLength[doc * 2 + field]`. */
  fieldLength: Uint32Array;
  avgFieldLength: Float64Array;
  terms: SortedTerms;
  /** Postings of term t in field f run from `start[t * 2 + f]` to `start[t * 2 + f + 1]`. */
  start: Uint32Array;
  docs: Uint32Array;
  freqs: Uint32Array;
}

export class Bm25Store {
  /** Scratch space for scoring, reused across queries (a query runs synchronously). */
  private scratch?: { scores: Float64Array; termScores: Float64Array; matched: Uint16Array; queryMark: Int32Array; termMark: Int32Array; reached: Int32Array; order: Int32Array };
  private epoch = 0;

  private constructor(private readonly p: Postings) {}

  /** The processed terms the documents contain. */
  get vocabulary(): TermSet {
    return this.p.terms;
  }

  get size(): number {
    return this.p.docCount;
  }

  static build(docs: Bm25Doc[]): Bm25Store {
    // Stemming dominates indexing; each distinct token is processed once.
    const processed = new Map<string, string | null>();
    const process = (token: string) => {
      let t = processed.get(token);
      if (t === undefined) processed.set(token, (t = processTerm(token)));
      return t;
    };
    const fieldLength = new Uint32Array(docs.length * 2);
    const avgFieldLength = new Float64Array(2);
    const byTerm = new Map<string, [number[], number[]][]>();
    docs.forEach((doc, d) => {
      FIELDS.forEach((field, f) => {
        const tokens = tokenize(doc[field]);
        const length = new Set(tokens).size;
        fieldLength[d * 2 + f] = length;
        // MiniSearch's running mean, in its order of operations, so averages match to the bit.
        avgFieldLength[f] = (avgFieldLength[f] * d + length) / (d + 1);
        const counts = new Map<string, number>();
        for (const token of tokens) {
          const term = process(token);
          if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
        }
        for (const [term, tf] of counts) {
          let lists = byTerm.get(term);
          if (!lists)
            byTerm.set(
              term,
              (lists = [
                [[], []],
                [[], []],
              ]),
            );
          lists[f][0].push(d);
          lists[f][1].push(tf);
        }
      });
    });
    const terms = [...byTerm.keys()].sort();
    const start = new Uint32Array(terms.length * 2 + 1);
    let total = 0;
    terms.forEach((term, t) => {
      const lists = byTerm.get(term)!;
      for (let f = 0; f < 2; f++) {
        start[t * 2 + f] = total;
        total += lists[f][0].length;
      }
    });
    start[terms.length * 2] = total;
    const docsOut = new Uint32Array(total);
    const freqs = new Uint32Array(total);
    terms.forEach((term, t) => {
      const lists = byTerm.get(term)!;
      for (let f = 0; f < 2; f++) {
        docsOut.set(lists[f][0], start[t * 2 + f]);
        freqs.set(lists[f][1], start[t * 2 + f]);
      }
    });
    return new Bm25Store({ docCount: docs.length, ids: docs.map((d) => d.id), fieldLength, avgFieldLength, terms: new SortedTerms(terms), start, docs: docsOut, freqs });
  }

  /**
   * The store as one binary file: a header, then 8-byte aligned sections (average field lengths,
   * field lengths, postings starts, documents, frequencies), then the ids and terms as text.
   */
  toBytes(): Uint8Array {
    const { p } = this;
    const idsText = Buffer.from(p.ids.join('\n'));
    const termsText = Buffer.from(p.terms.terms.join('\n'));
    const header = 8 + 6 * 4;
    const align = (n: number) => (n + 7) & ~7;
    const sections = [p.avgFieldLength, p.fieldLength, p.start, p.docs, p.freqs];
    let size = align(header);
    const offsets = sections.map((s) => {
      const at = size;
      size = align(size + s.byteLength);
      return at;
    });
    const idsAt = size;
    const termsAt = idsAt + idsText.length;
    const out = Buffer.alloc(termsAt + termsText.length);
    out.write(MAGIC, 0, 'latin1');
    [p.docCount, p.terms.size, p.docs.length, idsText.length, termsText.length, 0].forEach((v, i) => out.writeUInt32LE(v, 8 + i * 4));
    sections.forEach((s, i) => out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), offsets[i]));
    idsText.copy(out, idsAt);
    termsText.copy(out, termsAt);
    return out;
  }

  /** Reads a store written by `toBytes`; throws on anything malformed (the caller names the file). */
  static fromBytes(data: Buffer): Bm25Store {
    const buffer = data.byteOffset % 8 === 0 ? data : Buffer.from(data);
    if (buffer.length < 32 || buffer.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a BM25 index file');
    const [docCount, termCount, postings, idsLength, termsLength] = [0, 1, 2, 3, 4].map((i) => buffer.readUInt32LE(8 + i * 4));
    const align = (n: number) => (n + 7) & ~7;
    let at = align(32);
    const take = <T>(make: (b: ArrayBufferLike, offset: number, length: number) => T, bytesPer: number, length: number): T => {
      if (at + length * bytesPer > buffer.length) throw new Error('the file is shorter than its header says');
      const view = make(buffer.buffer, buffer.byteOffset + at, length);
      at = align(at + length * bytesPer);
      return view;
    };
    const avgFieldLength = take((b, o, n) => new Float64Array(b, o, n), 8, 2);
    const fieldLength = take((b, o, n) => new Uint32Array(b, o, n), 4, docCount * 2);
    const start = take((b, o, n) => new Uint32Array(b, o, n), 4, termCount * 2 + 1);
    const docs = take((b, o, n) => new Uint32Array(b, o, n), 4, postings);
    const freqs = take((b, o, n) => new Uint32Array(b, o, n), 4, postings);
    if (at + idsLength + termsLength > buffer.length) throw new Error('the file is shorter than its header says');
    const ids = docCount ? buffer.toString('utf8', at, at + idsLength).split('\n') : [];
    const terms = termCount ? buffer.toString('utf8', at + idsLength, at + idsLength + termsLength).split('\n') : [];
    if (ids.length !== docCount || terms.length !== termCount || start[termCount * 2] !== postings) throw new Error('its sections do not agree with its header');
    return new Bm25Store({ docCount, ids, fieldLength, avgFieldLength, terms: new SortedTerms(terms), start, docs, freqs });
  }

  /** Document ids with BM25 scores, best first (ties in the order the query's terms found them). */
  search(query: string, limit: number): { id: string; score: number }[] {
    const { p } = this;
    const n = p.docCount;
    if (!this.scratch || this.scratch.scores.length < n) {
      this.scratch = {
        scores: new Float64Array(n),
        termScores: new Float64Array(n),
        matched: new Uint16Array(n),
        queryMark: new Int32Array(n),
        termMark: new Int32Array(n),
        reached: new Int32Array(n),
        order: new Int32Array(n),
      };
    }
    const { scores, termScores, matched, queryMark, termMark, reached, order } = this.scratch;
    // Marks instead of clearing: a document belongs to this query (or term) when its mark is the current one.
    const queryEpoch = ++this.epoch;
    let seen = 0;
    const seenTerms = new Set<string>();
    const { k, b, d } = BM25;
    for (const term of Bm25Store.terms(query)) {
      const t = p.terms.indexOf(term);
      if (t < 0) continue;
      const termEpoch = ++this.epoch;
      // MiniSearch scores a term field by field (title postings, then text), summing per document.
      let reachedCount = 0;
      for (let f = 0; f < 2; f++) {
        const from = p.start[t * 2 + f];
        const to = p.start[t * 2 + f + 1];
        const matching = to - from;
        const invDocFreq = Math.log(1 + (n - matching + 0.5) / (matching + 0.5));
        const avg = p.avgFieldLength[f];
        const boost = BOOST[f];
        for (let i = from; i < to; i++) {
          const doc = p.docs[i];
          const termFreq = p.freqs[i];
          const raw = invDocFreq * (d + (termFreq * (k + 1)) / (termFreq + k * (1 - b + (b * p.fieldLength[doc * 2 + f]) / avg)));
          const weighted = boost * raw;
          if (termMark[doc] !== termEpoch) {
            termMark[doc] = termEpoch;
            termScores[doc] = weighted;
            reached[reachedCount++] = doc;
          } else termScores[doc] += weighted;
        }
      }
      // Then terms are summed in query order. A repeated query term adds its score again but
      // counts once in the quality factor (how many distinct query terms a document matched).
      const newTerm = !seenTerms.has(term);
      seenTerms.add(term);
      for (let r = 0; r < reachedCount; r++) {
        const doc = reached[r];
        if (queryMark[doc] !== queryEpoch) {
          queryMark[doc] = queryEpoch;
          scores[doc] = termScores[doc];
          matched[doc] = 1;
          order[seen++] = doc;
        } else {
          scores[doc] = scores[doc] + termScores[doc];
          if (newTerm) matched[doc]++;
        }
      }
    }
    // Final scores in first-seen order; reuse `termScores` as their buffer.
    const finals = termScores;
    for (let i = 0; i < seen; i++) finals[i] = scores[order[i]] * matched[order[i]];
    return topK(finals, seen, limit).map((i) => ({ id: p.ids[order[i]], score: finals[i] }));
  }

  /** The query's content terms, as the index sees them. */
  static terms(query: string): string[] {
    return tokenize(query)
      .map(processTerm)
      .filter((t): t is string => t !== null);
  }
}

/**
 * Positions of the `k` best of `scores[0..count)`, best first; equal scores keep ascending
 * position, as the stable sort MiniSearch runs over its first-seen order would leave them.
 */
function topK(scores: Float64Array, count: number, k: number): number[] {
  if (k <= 0 || count === 0) return [];
  const byRank = (a: number, b: number) => scores[b] - scores[a] || a - b;
  let picked: number[];
  if (count <= k) picked = Array.from({ length: count }, (_, i) => i);
  else {
    // The k-th best score, then everything above it and the first of those equal to it.
    const threshold = kthLargest(scores.slice(0, count), k);
    picked = [];
    for (let i = 0; i < count; i++) if (scores[i] > threshold) picked.push(i);
    for (let i = 0; i < count && picked.length < k; i++) if (scores[i] === threshold) picked.push(i);
  }
  return picked.sort(byRank);
}

/** The k-th largest value (1-based) of `values`, which it reorders (quickselect). */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

/** Chunks as BM25 documents, each carrying its paper's title. */
export function chunkDocs(chunks: { id: string; paperId: string; text: string }[], titleOf: (paperId: string) => string): Bm25Doc[] {
  return chunks.map((c) => ({ id: c.id, title: titleOf(c.paperId), text: c.text }));
}

/** Whole papers as BM25 documents: ranking papers on their full abstract beats their best chunk. */
export function paperDocs(papers: { id: string; title: string; abstract: string }[]): Bm25Doc[] {
  return papers.map((p) => ({ id: p.id, title: p.title, text: p.abstract }));
}

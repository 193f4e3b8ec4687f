/**
 * Hybrid retrieval: dense (HNSW) and BM25 candidates, grouped per paper, fused by weighted
 * reciprocal rank, each paper carrying its best passages.
 */
import { Bm25Store } from '../indexing/bm25-store.js';
import type { Embedder } from '../indexing/embeddings/embedder.js';
import type { LitIndex } from '../indexing/load-index.js';
import { UserError } from '../errors.js';
import type { Paper } from '../corpus/paper.js';
import type { PaperHit, Passage, SearchOptions, SearchResponse } from './types.js';

/** Fusion settings, tuned with `npm run eval`. */
export const FUSION = {
  /** The RRF constant: larger flattens the difference between ranks. */
  rrfK: 60,
  denseWeight: 1,
  bm25Weight: 1,
  /** Chunk candidates fetched from each side per requested paper. */
  candidatesPerPaper: 8,
  minCandidates: 60,
};

export const MAX_K = 50;

interface Scored {
  dense?: number;
  bm25?: number;
  passages: Map<string, Passage>;
}

export class Retriever {
  constructor(
    readonly index: LitIndex,
    readonly embedder: Embedder,
  ) {}

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k must be a whole number from 1 to ${MAX_K} (got ${options.k}).`);
    const text = query.trim();
    if (!text) throw new UserError('The query is empty: type a few words to search for.');
    const mode = options.mode ?? 'hybrid';
    const allowed = this.filter(options);
    const { chunks } = this.index;
    const candidates = Math.max(FUSION.minCandidates, k * FUSION.candidatesPerPaper);
    const byPaper = new Map<string, Scored>();
    const entry = (paperId: string) => {
      let s = byPaper.get(paperId);
      if (!s) byPaper.set(paperId, (s = { passages: new Map() }));
      return s;
    };

    let embedMs = 0;
    let denseMs = 0;
    let bm25Ms = 0;
    if (mode !== 'bm25') {
      const t0 = performance.now();
      const vector = await this.embedder.embedQuery(text);
      embedMs = performance.now() - t0;
      const t1 = performance.now();
      const hits = this.index.hnsw.search(vector, candidates, allowed ? (label) => allowed.has(chunks[label].paperId) : undefined);
      denseMs = performance.now() - t1;
      for (const { label, score } of hits) {
        const chunk = chunks[label];
        const s = entry(chunk.paperId);
        s.dense = Math.max(s.dense ?? -1, score);
        s.passages.set(chunk.id, { chunkId: chunk.id, text: chunk.text, score, dense: score });
      }
    }
    if (mode !== 'dense') {
      const t2 = performance.now();
      for (const { chunkId, score } of this.index.bm25.search(text, candidates * 4)) {
        const chunk = chunks[this.index.chunkById.get(chunkId)!];
        if (allowed && !allowed.has(chunk.paperId)) continue;
        const s = entry(chunk.paperId);
        s.bm25 = Math.max(s.bm25 ?? 0, score);
        const existing = s.passages.get(chunkId);
        if (existing) existing.bm25 = score;
        else s.passages.set(chunkId, { chunkId, text: chunk.text, score, bm25: score });
      }
      bm25Ms = performance.now() - t2;
    }

    const denseRank = rankBy(byPaper, (s) => s.dense);
    const bm25Rank = rankBy(byPaper, (s) => s.bm25);
    const hits: PaperHit[] = [];
    for (const [paperId, s] of byPaper) {
      const dr = denseRank.get(paperId);
      const br = bm25Rank.get(paperId);
      const score =
        (dr !== undefined ? FUSION.denseWeight / (FUSION.rrfK + dr) : 0) + (br !== undefined ? FUSION.bm25Weight / (FUSION.rrfK + br) : 0);
      hits.push({
        paperId,
        paper: this.index.paperById.get(paperId)!,
        score,
        dense: s.dense,
        bm25: s.bm25,
        denseRank: dr,
        bm25Rank: br,
        passages: bestPassages(s.passages, options.passages ?? 3),
      });
    }
    hits.sort((a, b) => b.score - a.score || (b.dense ?? 0) - (a.dense ?? 0));
    const terms = Bm25Store.terms(text);
    const known = terms.filter((t) => this.index.bm25.vocabulary.has(t)).length;
    return {
      query: text,
      hits: hits.slice(0, k),
      queryCoverage: terms.length ? known / terms.length : 0,
      timings: { embedMs, denseMs, bm25Ms, totalMs: performance.now() - started },
    };
  }

  /** Papers allowed by the date and source filters, or undefined when no filter is set. */
  private filter(options: SearchOptions): Set<string> | undefined {
    const { from, to, sourceFile } = options;
    if (!from && !to && !sourceFile) return undefined;
    for (const [name, value] of [['from', from], ['to', to]] as const) {
      if (value && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) throw new UserError(`--${name} must be a date like 2024-05-01 (got "${value}").`);
    }
    const keep = (p: Paper) =>
      (!sourceFile || p.sources.some((s) => s.file.includes(sourceFile))) &&
      (!from || (p.isoDate !== undefined && p.isoDate >= from)) &&
      (!to || (p.isoDate !== undefined && p.isoDate.slice(0, to.length) <= to));
    return new Set(this.index.papers.filter(keep).map((p) => p.id));
  }
}

/** 1-based ranks of papers by a score, best first; papers without the score are unranked. */
function rankBy(byPaper: Map<string, Scored>, score: (s: Scored) => number | undefined): Map<string, number> {
  return new Map(
    [...byPaper]
      .filter(([, s]) => score(s) !== undefined)
      .sort((a, b) => score(b[1])! - score(a[1])!)
      .map(([id], i) => [id, i + 1]),
  );
}

/** Passages that scored on both sides first, then by dense similarity, then BM25. */
function bestPassages(passages: Map<string, Passage>, limit: number): Passage[] {
  const maxBm25 = Math.max(1e-9, ...[...passages.values()].map((p) => p.bm25 ?? 0));
  const combined = (p: Passage) => (p.dense ?? 0) + 0.5 * ((p.bm25 ?? 0) / maxBm25);
  return [...passages.values()]
    .map((p) => ({ ...p, score: combined(p) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

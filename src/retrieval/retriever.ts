/**
 * Hybrid retrieval. Candidates come from the HNSW chunk index and from BM25 over whole papers;
 * each candidate paper is then scored exactly: its best chunk's cosine, its paper vector's cosine,
 * and its BM25 score (scaled by the best in the list), fused with weights tuned on the labelled
 * question set (`npm run eval`). Each hit carries its best passages.
 */
import { Bm25Store } from '../indexing/bm25-store.js';
import type { Embedder } from '../indexing/embeddings/embedder.js';
import type { LitIndex } from '../indexing/load-index.js';
import { UserError } from '../errors.js';
import type { Paper } from '../corpus/paper.js';
import { indexSource, type CandidateSource } from './candidate-source.js';
import { nameTokens } from './names.js';
import type { PaperHit, Passage, SearchOptions, SearchResponse } from './types.js';

/**
 * Fusion settings. With USE-lite on the seed questions, linear fusion of BM25/max with the dense
 * mean beat reciprocal-rank fusion (R@5 0.928 vs 0.915, MRR@10 0.872 vs 0.829 at its best k):
 * ranks throw away how far ahead a strong lexical match is.
 */
export const FUSION = {
  /** Weight of the dense score (mean of best-chunk and paper-vector cosine) against BM25/max. */
  denseWeight: 3,
  /** Chunk and paper candidates fetched from each side per requested paper. */
  candidatesPerPaper: 6,
  minCandidates: 40,
  /**
   * Added (on the BM25/max scale) to each of the few papers (at most `nameMaxPapers`) that contain
   * a name the question uses: an acronym, a mixed-case or alphanumeric token such as "MIGU",
   * "LoRA" or "GPT-2". A method's name pins its paper better than any paraphrase of it.
   */
  nameBonus: 1,
  nameMaxPapers: 3,
};

export const MAX_K = 50;

export class Retriever {
  constructor(
    readonly index: LitIndex,
    readonly embedder: Embedder,
    /** Where candidates and raw scores come from: this process's index (default) or Postgres. */
    readonly source: CandidateSource = indexSource(index, embedder),
  ) {}

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k must be a whole number from 1 to ${MAX_K} (got ${options.k}).`);
    const text = query.trim();
    if (!text) throw new UserError('The query is empty: type a few words to search for.');
    const mode = options.mode ?? 'hybrid';
    const allowed = this.filter(options);
    const { index } = this;
    const candidates = Math.max(FUSION.minCandidates, k * FUSION.candidatesPerPaper);
    const candidatePapers = new Set<string>();

    let embedMs = 0;
    let denseMs = 0;
    let bm25Ms = 0;
    let vector: Float32Array | undefined;
    if (mode !== 'bm25') {
      const t0 = performance.now();
      vector = await this.embedder.embedQuery(text);
      embedMs = performance.now() - t0;
      const t1 = performance.now();
      const filter = allowed && { allowed, from: options.from, to: options.to, source: options.sourceFile };
      for (const paperId of await this.source.denseChunks(vector, candidates * 3, filter)) {
        candidatePapers.add(paperId);
        if (candidatePapers.size >= candidates) break;
      }
      denseMs = performance.now() - t1;
    }
    const paperBm25 = new Map<string, number>();
    const chunkBm25 = new Map<string, number>();
    if (mode !== 'dense') {
      const t2 = performance.now();
      const [papers, chunks] = await Promise.all([this.source.lexical(text, candidates * 2, 'papers'), this.source.lexical(text, candidates * 8, 'chunks')]);
      for (const { id, score } of papers) {
        if (allowed && !allowed.has(id)) continue;
        paperBm25.set(id, score);
        if (paperBm25.size <= candidates) candidatePapers.add(id);
      }
      for (const { id, score } of chunks) chunkBm25.set(id, score);
      bm25Ms = performance.now() - t2;
    }

    // Papers holding a rare name from the query get a bonus, and are candidates whatever else.
    const nameBonus = new Map<string, number>();
    if (mode !== 'dense' && FUSION.nameBonus > 0) {
      for (const name of nameTokens(text)) {
        const holders = (await this.source.lexical(name, FUSION.nameMaxPapers + 1, 'papers')).filter(({ id }) => !allowed || allowed.has(id));
        if (!holders.length || holders.length > FUSION.nameMaxPapers) continue;
        for (const { id } of holders) {
          nameBonus.set(id, (nameBonus.get(id) ?? 0) + FUSION.nameBonus / holders.length);
          candidatePapers.add(id);
        }
      }
    }
    const maxBm25 = Math.max(1e-9, ...paperBm25.values());
    const hits: PaperHit[] = [];
    const cosine = vector && (await this.source.cosines(vector, [...candidatePapers]));
    for (const paperId of candidatePapers) {
      const chunkIds = index.chunksOfPaper.get(paperId) ?? [];
      const passages: Passage[] = chunkIds.map((i) => {
        const chunk = index.chunks[i];
        const dense = cosine ? cosine.chunk(i) : undefined;
        const bm25 = chunkBm25.get(chunk.id);
        return { chunkId: chunk.id, text: chunk.text, score: 0, dense, bm25 };
      });
      const bestChunk = vector ? Math.max(...passages.map((p) => p.dense!)) : undefined;
      const denseScore = cosine ? (bestChunk! + cosine.paper(paperId)) / 2 : 0;
      const bm25 = paperBm25.get(paperId);
      const lexical = (bm25 ?? 0) / maxBm25;
      const named = nameBonus.get(paperId) ?? 0;
      const score = mode === 'dense' ? denseScore : mode === 'bm25' ? lexical + named : lexical + named + FUSION.denseWeight * denseScore;
      if (mode === 'bm25' && bm25 === undefined) continue;
      hits.push({
        paperId,
        paper: index.paperById.get(paperId)!,
        score,
        dense: bestChunk,
        bm25,
        ...(named ? { nameBonus: named } : {}),
        passages: bestPassages(passages, options.passages ?? 3),
      });
    }
    assignRanks(hits, 'dense', 'denseRank');
    assignRanks(hits, 'bm25', 'bm25Rank');
    hits.sort((a, b) => b.score - a.score);
    const terms = Bm25Store.terms(text);
    const known = terms.filter((t) => this.source.hasTerm(t)).length;
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

/** 1-based ranks among the hits by one side's score; hits without that score stay unranked. */
function assignRanks(hits: PaperHit[], key: 'dense' | 'bm25', rankKey: 'denseRank' | 'bm25Rank'): void {
  hits
    .filter((h) => h[key] !== undefined)
    .sort((a, b) => b[key]! - a[key]!)
    .forEach((h, i) => (h[rankKey] = i + 1));
}

/** Passages matching on both sides first: dense similarity plus half the scaled BM25 score. */
function bestPassages(passages: Passage[], limit: number): Passage[] {
  const maxBm25 = Math.max(1e-9, ...passages.map((p) => p.bm25 ?? 0));
  return passages
    .map((p) => ({ ...p, score: (p.dense ?? 0) + 0.5 * ((p.bm25 ?? 0) / maxBm25) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

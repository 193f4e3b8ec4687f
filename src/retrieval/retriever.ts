/**
 * Hybrid retrieval. The question's typos are corrected against the collection's words first.
 * Candidates come from the HNSW chunk index, from BM25 over whole papers and from the few papers
 * holding a rare name of the question (through the candidate source: this process's index or
 * Postgres); each candidate paper is then described by the signals both sides have for it (BM25
 * of the paper and of its best chunk; the
 * share of the question's words it holds; its best-chunk, paper and mean cosine; the rare-name
 * share; each side's rank) and scored by the learned ranker (`ranker.ts`, fitted by
 * `npm run fit`). Each hit carries its best passages and its features.
 */
import { Bm25Store } from '../indexing/bm25-store.js';
import type { Embedder } from '../indexing/embeddings/embedder.js';
import type { LitIndex } from '../indexing/load-index.js';
import { UserError } from '../errors.js';
import type { Paper } from '../corpus/paper.js';
import { indexSource, type CandidateSource } from './candidate-source.js';
import { passesFilter } from '../indexing/stores/chunk-documents.js';
import { fromStorable } from '../indexing/storable.js';
import { CollectionStats, collectionStats, type Vocabulary } from './collection-stats.js';
import { nameTokens } from './names.js';
import { RANKER, rankScore, type RankFeatures, type RankerModel } from './ranker.js';
import { SpellCorrector } from './spelling.js';
import type { PaperHit, Passage, SearchOptions, SearchResponse } from './types.js';

/** Candidate generation, and the fixed fusion the learned ranker replaced (kept for the eval's comparison). */
export const FUSION = {
  /** Chunk and paper candidates fetched from each side per requested paper. */
  candidatesPerPaper: 6,
  minCandidates: 40,
  /**
   * A name the question uses (an acronym, a mixed-case or alphanumeric token such as "MIGU",
   * "LoRA" or "GPT-2") that at most this many papers contain makes them candidates and gives
   * each its share (1 / holders): the ranker's `nameShare` feature.
   */
  nameMaxPapers: 3,
  /** The old fixed fusion (`ranker: 'fixed'`): BM25/max + name share + this weight x mean of best-chunk and paper cosine. */
  denseWeight: 3,
};

export const MAX_K = 50;

export class Retriever {
  private stats_?: CollectionStats;
  private speller_?: SpellCorrector;

  constructor(
    readonly index: LitIndex,
    readonly embedder: Embedder,
    /** Where candidates and raw scores come from: this process's index (default) or Postgres. */
    readonly source: CandidateSource = indexSource(index, embedder),
  ) {}

  /** The collection's word statistics, from the counts the index keeps (made at the first search). */
  get stats(): CollectionStats {
    const { index } = this;
    this.stats_ ??= collectionStats(index.papers, () => (index.answerTerms === undefined ? undefined : fromStorable<Vocabulary>(index.answerTerms)));
    return this.stats_;
  }

  get speller(): SpellCorrector {
    this.speller_ ??= new SpellCorrector(this.stats);
    return this.speller_;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new UserError(`k must be a whole number from 1 to ${MAX_K} (got ${options.k}).`);
    const typed = query.trim();
    if (!typed) throw new UserError('The query is empty: type a few words to search for.');
    const spelled = options.correct === false ? { text: typed, corrections: [] } : this.speller.correct(typed);
    const text = spelled.text;
    const mode = options.mode ?? 'hybrid';
    const model: RankerModel | 'fixed' = options.ranker ?? RANKER;
    const allowed = this.filter(options);
    const { index, stats } = this;
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

    // Papers holding a rare name from the query are candidates whatever else, and get its share.
    const nameShare = new Map<string, number>();
    if (mode !== 'dense') {
      for (const name of nameTokens(text)) {
        const holders = (await this.source.lexical(name, FUSION.nameMaxPapers + 1, 'papers')).filter(({ id }) => !allowed || allowed.has(id));
        if (!holders.length || holders.length > FUSION.nameMaxPapers) continue;
        for (const { id } of holders) {
          nameShare.set(id, (nameShare.get(id) ?? 0) + 1 / holders.length);
          candidatePapers.add(id);
        }
      }
    }

    const questionTerms = CollectionStats.questionTerms(text);
    const questionBigrams = [...CollectionStats.bigrams(text)];
    const totalWeight = questionTerms.reduce((s, t) => s + stats.idf(t), 0);
    const maxBm25 = Math.max(1e-9, ...paperBm25.values());
    const hits: PaperHit[] = [];
    const cosine = vector && (await this.source.cosines(vector, [...candidatePapers]));
    for (const paperId of candidatePapers) {
      const bm25 = paperBm25.get(paperId);
      if (mode === 'bm25' && bm25 === undefined) continue;
      const chunkIds = index.chunksOfPaper.get(paperId) ?? [];
      let denseSum = 0;
      let bestChunkBm25 = 0;
      const passages: Passage[] = chunkIds.map((i) => {
        const chunk = index.chunks[i];
        const dense = cosine ? cosine.chunk(i) : undefined;
        const chunkScore = chunkBm25.get(chunk.id);
        denseSum += dense ?? 0;
        bestChunkBm25 = Math.max(bestChunkBm25, chunkScore ?? 0);
        return { chunkId: chunk.id, text: chunk.text, score: 0, dense, bm25: chunkScore };
      });
      const bestChunk = vector && passages.length ? Math.max(...passages.map((p) => p.dense!)) : undefined;
      const paperCosine = cosine ? cosine.paper(paperId) : 0;
      const named = nameShare.get(paperId) ?? 0;
      const terms = stats.termsOf(paperId);
      const titleTerms = stats.titleTermsOf(paperId);
      let held = 0;
      let heldWeight = 0;
      let titleWeight = 0;
      for (const t of questionTerms) {
        if (terms.has(t)) {
          held++;
          heldWeight += stats.idf(t);
        }
        if (titleTerms.has(t)) titleWeight += stats.idf(t);
      }
      const bigrams = stats.bigramsOf(paperId);
      const features: RankFeatures = {
        bm25Rel: (bm25 ?? 0) / maxBm25,
        bm25Log: Math.log1p(bm25 ?? 0),
        chunkBm25Log: Math.log1p(bestChunkBm25),
        termShare: questionTerms.length ? held / questionTerms.length : 0,
        weightedShare: totalWeight ? heldWeight / totalWeight : 0,
        titleShare: totalWeight ? titleWeight / totalWeight : 0,
        bigramShare: questionBigrams.length ? questionBigrams.filter((b) => bigrams.has(b)).length / questionBigrams.length : 0,
        denseChunk: bestChunk ?? 0,
        densePaper: paperCosine,
        denseMean: passages.length && vector ? denseSum / passages.length : 0,
        denseGap: 0,
        nameShare: named,
        bm25RankRecip: 0,
        denseRankRecip: 0,
      };
      hits.push({
        paperId,
        paper: index.paperById.get(paperId)!,
        score: 0,
        dense: bestChunk,
        bm25,
        ...(named ? { nameBonus: named } : {}),
        features,
        passages: bestPassages(passages, options.passages ?? 3),
      });
    }
    assignRanks(hits, 'dense', 'denseRank');
    assignRanks(hits, 'bm25', 'bm25Rank');
    const topDense = Math.max(0, ...hits.map((h) => h.dense ?? 0));
    for (const hit of hits) {
      const x = hit.features!;
      x.denseGap = hit.dense === undefined ? 0 : hit.dense - topDense;
      x.bm25RankRecip = hit.bm25Rank ? 1 / hit.bm25Rank : 0;
      x.denseRankRecip = hit.denseRank ? 1 / hit.denseRank : 0;
      const denseScore = (x.denseChunk + x.densePaper) / 2;
      hit.score =
        mode === 'dense'
          ? denseScore
          : mode === 'bm25'
            ? x.bm25Rel + x.nameShare
            : model === 'fixed'
              ? x.bm25Rel + x.nameShare + FUSION.denseWeight * denseScore
              : rankScore(model, x);
    }
    hits.sort((a, b) => b.score - a.score || (b.bm25 ?? 0) - (a.bm25 ?? 0));
    const bm25Terms = Bm25Store.terms(text);
    const known = bm25Terms.filter((t) => this.source.hasTerm(t)).length;
    return {
      query: text,
      ...(spelled.corrections.length ? { typedQuery: typed, corrections: spelled.corrections } : {}),
      hits: options.allCandidates ? hits : hits.slice(0, k),
      queryCoverage: bm25Terms.length ? known / bm25Terms.length : 0,
      timings: { embedMs, denseMs, bm25Ms, totalMs: performance.now() - started },
    };
  }

  /** Papers allowed by the date and source filters, or undefined when no filter is set. */
  private filter(options: SearchOptions): Set<string> | undefined {
    const { from, to, sourceFile } = options;
    if (!from && !to && !sourceFile) return undefined;
    for (const [name, value] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (value && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) throw new UserError(`--${name} must be a date like 2024-05-01 (got "${value}").`);
    }
    // The stores' rule (`passesFilter`), so a filter in a vector store and here agree.
    const filter = { from, to, source: sourceFile };
    const keep = (p: Paper) => passesFilter({ paperId: p.id, isoDate: p.isoDate, sources: p.sources.map((s) => s.file) }, filter);
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

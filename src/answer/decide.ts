/**
 * Whether to answer a question from the retrieved papers or decline it: one logistic regression
 * over a few signals (how far the best paper's ranker score stands above the rest, whether it
 * alone holds the question's rare name, how much of the question's weight one paper holds, how
 * many of its words and names the collection knows, ...), fitted by `npm run fit` on tuning
 * questions and generated ones, its threshold calibrated to answer a stated share of the
 * answerable tuning questions. Weights and threshold live in `decision-weights.json` beside this
 * file. After it, the premise checks (`premise.ts`) may still decline a "why" question whose
 * claim the best paper contradicts. A declined question carries why, in a form the reply can
 * put in plain words.
 */
import { CollectionStats } from '../retrieval/collection-stats.js';
import { NAME_LIKE, SIZE, wordTokens } from '../retrieval/names.js';
import type { SearchResponse } from '../retrieval/types.js';
import weightsFile from './decision-weights.json' with { type: 'json' };
import { premiseProblem } from './premise.js';
import { asksForList } from './question-shape.js';
import { contentTerms, words } from './terms.js';

export const DECISION_FEATURES = [
  'topScore',
  'margin',
  'rareName',
  'topDense',
  'topBm25',
  'weightedOverlap',
  'termOverlap',
  'denseLead',
  'knownShare',
  'unknownNames',
  'questionTerms',
  'listQuestion',
] as const;

export type DecisionFeature = (typeof DECISION_FEATURES)[number];
/** A signal's value, or undefined when the retriever did not provide it (then it counts as its tuning mean). */
export type DecisionFeatures = Record<DecisionFeature, number | undefined>;

/** The weights file. */
export interface DecisionModel {
  features: DecisionFeature[];
  mean: number[];
  std: number[];
  intercept: number;
  weights: number[];
  /** Answer when the probability is at least this. */
  threshold: number;
  /** A declined question is offered the nearest topics only when its probability is at least this. */
  near: number;
  /** What the threshold was calibrated to, and how the fit went (for the record). */
  target?: string;
  lambda?: number;
  fit?: Record<string, unknown>;
}

export const DECISION: DecisionModel = weightsFile as DecisionModel;

/** Why a question was declined, for the reply to say in plain words. */
export type DeclineWhy =
  | { kind: 'no-match' }
  | { kind: 'unknown-names'; names: string[] }
  | { kind: 'unknown-words'; words: string[] }
  | { kind: 'weak'; missing: string[] }
  | { kind: 'premise'; premise: 'absolute' | 'version' | 'contradiction'; detail: string };

export interface Decision {
  answer: boolean;
  /** The model's probability that the papers answer the question. */
  probability: number;
  features: DecisionFeatures;
  /** Whether the question is close enough to the collection to offer its nearest topics when declined. */
  near: boolean;
  why?: DeclineWhy;
  /** Why, in a few words, for logs and the eval. */
  reason?: string;
}

/** Papers read for the overlap signals. */
const TOP = 3;

/**
 * Name-like tokens of a question: "AlphaFold", "GPT-5", "vLLM", "YOLO", and capitalised words
 * after the first ("Jetson", "Kubernetes").
 */
function namesIn(question: string): string[] {
  return wordTokens(question).filter((t, i) => (NAME_LIKE.test(t) || (i > 0 && /^[A-Z][a-z]{2,}$/.test(t))) && !SIZE.test(t));
}

/** The question's words the collection never uses (as typed, stop words, short words and known names left out). */
function unknownWords(question: string, stats: CollectionStats): string[] {
  const out: string[] = [];
  const names = new Set(
    wordTokens(question)
      .filter((t) => NAME_LIKE.test(t) && stats.knowsName(t))
      .map((t) => t.toLowerCase()),
  );
  for (const w of words(question)) {
    if (w.length < 3 || /\d/.test(w) || out.includes(w) || names.has(w)) continue;
    const terms = contentTerms(w);
    if (terms.length && terms.every((t) => !stats.df.has(t)) && !stats.knowsWord(w)) out.push(w);
  }
  return out;
}

/** The signals the decision reads, from the (corrected) question and its search response. */
export function decisionFeatures(question: string, response: SearchResponse, stats?: CollectionStats): DecisionFeatures & { unknown: { names: string[]; words: string[] } } {
  const hits = response.hits;
  const top = hits.slice(0, TOP);
  const ranked = !!hits[0]?.features;
  const q = CollectionStats.questionTerms(question);
  const idf = (t: string) => stats?.idf(t) ?? 1;
  const total = q.reduce((s, t) => s + idf(t), 0);
  let weighted = 0;
  let share = 0;
  if (stats) {
    for (const hit of top) {
      const terms = stats.termsOf(hit.paperId);
      const held = q.filter((t) => terms.has(t));
      share = Math.max(share, q.length ? held.length / q.length : 0);
      weighted = Math.max(weighted, total ? held.reduce((s, t) => s + idf(t), 0) / total : 0);
    }
  }
  const scores = hits.map((h) => h.score);
  const next = scores.slice(1, 5);
  const denses = top.map((h) => h.dense).filter((d): d is number => d !== undefined);
  const bm25s = top.map((h) => h.bm25).filter((b): b is number => b !== undefined);
  const names = stats ? namesIn(question).filter((n) => !stats.knowsName(n)) : [];
  const unknown = stats ? unknownWords(question, stats) : [];
  const known = stats ? q.filter((t) => stats.df.has(t)).length : 0;
  return {
    topScore: ranked ? scores[0] : undefined,
    margin: ranked ? (next.length ? scores[0] - next.reduce((a, b) => a + b, 0) / next.length : scores[0]) : undefined,
    rareName: ranked ? (hits[0].nameBonus ?? 0) : undefined,
    topDense: denses.length ? Math.max(...denses) : undefined,
    topBm25: bm25s.length ? Math.log1p(Math.max(...bm25s)) : undefined,
    weightedOverlap: stats ? weighted : undefined,
    termOverlap: stats ? share : undefined,
    denseLead: hits[0]?.dense !== undefined && hits.length > 1 ? hits[0].dense - Math.max(...hits.slice(1, 5).map((h) => h.dense ?? 0)) : undefined,
    knownShare: stats ? (q.length ? known / q.length : 0) : response.queryCoverage,
    unknownNames: stats ? Math.min(names.length, 2) : undefined,
    questionTerms: Math.log1p(q.length),
    // "which papers ..." is answered with a list: no single paper need stand out.
    listQuestion: asksForList(question) ? 1 : 0,
    unknown: { names, words: unknown },
  };
}

/** The model's probability for these features (missing ones at their tuning mean). */
export function answerProbability(features: DecisionFeatures, model: DecisionModel = DECISION): number {
  let z = model.intercept;
  model.features.forEach((f, i) => {
    const v = features[f];
    if (v !== undefined && Number.isFinite(v)) z += model.weights[i] * ((v - model.mean[i]) / (model.std[i] || 1));
  });
  return 1 / (1 + Math.exp(-z));
}

/**
 * Decides whether to answer `question` (as searched: typos corrected) from `response`. `stats`
 * are the collection's (word rarity, names); without them the word signals count as unknown.
 */
export function decide(question: string, response: SearchResponse, options: { stats?: CollectionStats; model?: DecisionModel } = {}): Decision {
  const model = options.model ?? DECISION;
  const { unknown, ...features } = decisionFeatures(question, response, options.stats);
  if (!response.hits.length) return { answer: false, probability: 0, features, near: false, why: { kind: 'no-match' }, reason: 'no paper matched' };
  const probability = CollectionStats.questionTerms(question).length ? answerProbability(features, model) : 0;
  const near = probability >= model.near;
  if (probability < model.threshold) {
    const missing = missingWords(question, response, options.stats);
    const why: DeclineWhy = unknown.names.length
      ? { kind: 'unknown-names', names: unknown.names }
      : unknown.words.length
        ? { kind: 'unknown-words', words: unknown.words }
        : { kind: 'weak', missing };
    return { answer: false, probability, features, near, why, reason: `p(answer) ${probability.toFixed(2)} < ${model.threshold.toFixed(2)} (${describe(why)})` };
  }
  const best = response.hits[0].paper;
  const problem = premiseProblem(question, `${best.title} ${best.abstract}`, (t) => options.stats?.idf(t) ?? 1);
  if (problem) {
    const why: DeclineWhy = { kind: 'premise', premise: problem.kind, detail: problem.detail };
    return { answer: false, probability, features, near, why, reason: describe(why) };
  }
  return { answer: true, probability, features, near };
}

/** The question's rarest words that none of the top papers holds, as typed (at most three). */
function missingWords(question: string, response: SearchResponse, stats?: CollectionStats): string[] {
  if (!stats) return [];
  const held = new Set<string>();
  for (const hit of response.hits.slice(0, TOP)) for (const t of stats.termsOf(hit.paperId)) held.add(t);
  // A name known only by its initials ("SVD" for "singular value decomposition") is held as its words, not as itself.
  const seen = new Set(
    wordTokens(question)
      .filter((t) => NAME_LIKE.test(t) && !stats.knowsWord(t) && stats.knowsName(t))
      .map((t) => t.toLowerCase()),
  );
  const out: { word: string; idf: number }[] = [];
  for (const w of words(question)) {
    const terms = contentTerms(w);
    if (!terms.length || w.length < 3 || seen.has(w)) continue;
    seen.add(w);
    if (terms.every((t) => !held.has(t))) out.push({ word: w, idf: Math.max(...terms.map((t) => stats.idf(t))) });
  }
  return out
    .sort((a, b) => b.idf - a.idf)
    .slice(0, 3)
    .map((o) => o.word);
}

/** A short account of `why`, for logs and the eval. */
export function describe(why: DeclineWhy): string {
  switch (why.kind) {
    case 'no-match':
      return 'no paper matched';
    case 'unknown-names':
      return `the collection never mentions ${why.names.join(', ')}`;
    case 'unknown-words':
      return `the collection never uses ${why.words.join(', ')}`;
    case 'weak':
      return why.missing.length ? `the closest papers do not speak of ${why.missing.join(', ')}` : 'no paper stands out';
    case 'premise':
      return why.premise === 'absolute' ? `the best paper does not say "${why.detail}"` : why.premise === 'version' ? `the best paper never names ${why.detail}` : why.detail;
  }
}

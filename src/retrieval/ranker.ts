/**
 * The learned ranker: a linear model over per-paper signals the retriever already has, fitted
 * with a listwise loss (softmax cross-entropy over each question's candidate papers) on the
 * tuning part of the labelled questions by `npm run fit` (src/measure/fit-ranker.ts). Its weights
 * and the features' normalisation live in `ranker-weights.json` beside this file.
 */
import weightsFile from './ranker-weights.json' with { type: 'json' };

/**
 * The features, in the weights file's order. Lexical: BM25 of the whole paper (scaled by the
 * best in the list, and log) and of its best chunk; the
 * share of the question's content words the paper holds (plain, weighted by rarity, and in the
 * title) and of its pairs of consecutive content words ("catastrophic forgetting"). Dense: the best chunk's cosine, the paper vector's, the mean over its chunks, and the
 * best chunk's gap to the best in the list. The rare-name share (a name in the question that at
 * most three papers contain, split between them) and each side's rank (as 1/rank).
 */
export const RANK_FEATURES = [
  'bm25Rel',
  'bm25Log',
  'chunkBm25Log',
  'termShare',
  'weightedShare',
  'titleShare',
  'bigramShare',
  'denseChunk',
  'densePaper',
  'denseMean',
  'denseGap',
  'nameShare',
  'bm25RankRecip',
  'denseRankRecip',
] as const;

export type RankFeature = (typeof RANK_FEATURES)[number];
export type RankFeatures = Record<RankFeature, number>;

/** The weights file: a linear model on standardised features. */
export interface RankerModel {
  features: RankFeature[];
  /** Per feature: subtracted, then divided by `std`, before the weights apply. */
  mean: number[];
  std: number[];
  weights: number[];
  /** The L2 penalty chosen by cross-validation, and how the fit went (for the record). */
  lambda: number;
  fit?: Record<string, unknown>;
}

/** The shipped model. */
export const RANKER: RankerModel = weightsFile as RankerModel;

/** A candidate's score under `model`: higher is better; comparable within one list only. */
export function rankScore(model: RankerModel, x: RankFeatures): number {
  let s = 0;
  for (let i = 0; i < model.features.length; i++) {
    const std = model.std[i] || 1;
    s += model.weights[i] * ((x[model.features[i]] - model.mean[i]) / std);
  }
  return s;
}

/** Features as a row in `RANK_FEATURES` order. */
export function featureRow(x: RankFeatures): number[] {
  return RANK_FEATURES.map((f) => x[f]);
}

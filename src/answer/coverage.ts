/**
 * Whether the retrieved papers cover a question well enough to answer it, from signals the
 * retriever already has (best chunk cosine, BM25, the share of the question's words the corpus
 * knows) and from how many of the question's content words the best papers contain.
 * The thresholds were calibrated on `test/fixtures/questions.json` with the real index (see
 * `npm run eval`).
 */
import type { SearchResponse } from '../retrieval/types.js';
import { contentTerms, termSet } from './terms.js';

export interface CoverageFeatures {
  /** Best chunk cosine of the top hit (0 when dense search did not run). */
  topDense: number;
  topBm25: number;
  queryCoverage: number;
  /** Best share, over the top papers, of the question's content words found in one paper's title and abstract. */
  termOverlap: number;
  /** Question words none of the top papers contains. */
  missingTerms: string[];
  questionTerms: number;
}

export interface CoverageRule {
  minDense: number;
  minOverlap: number;
  /** Overlap high enough that a weaker cosine still counts. */
  strongOverlap: number;
  minDenseWithStrongOverlap: number;
  minQueryCoverage: number;
}

/** Calibrated on the question set; see the module comment. */
export const DEFAULT_RULE: CoverageRule = {
  minDense: 0.4,
  minOverlap: 0.5,
  strongOverlap: 0.75,
  minDenseWithStrongOverlap: 0.3,
  minQueryCoverage: 0.5,
};

export interface CoverageDecision {
  covered: boolean;
  features: CoverageFeatures;
  /** Why it was declined, for logs and the eval. */
  reason?: string;
}

/** The signals the rule reads, from the question and its search response. */
export function coverageFeatures(question: string, response: SearchResponse, topPapers = 3): CoverageFeatures {
  const q = [...new Set(contentTerms(question))];
  const top = response.hits.slice(0, topPapers);
  let termOverlap = 0;
  const seen = new Set<string>();
  for (const hit of top) {
    const terms = termSet(`${hit.paper.title} ${hit.paper.abstract}`);
    for (const t of terms) seen.add(t);
    const share = q.length ? q.filter((t) => terms.has(t)).length / q.length : 0;
    termOverlap = Math.max(termOverlap, share);
  }
  return {
    topDense: Math.max(0, ...top.map((h) => h.dense ?? 0)),
    topBm25: Math.max(0, ...top.map((h) => h.bm25 ?? 0)),
    queryCoverage: response.queryCoverage,
    termOverlap,
    missingTerms: q.filter((t) => !seen.has(t)),
    questionTerms: q.length,
  };
}

/** Applies `rule` to the features of a question's search response. */
export function assessCoverage(question: string, response: SearchResponse, rule: CoverageRule = DEFAULT_RULE): CoverageDecision {
  const features = coverageFeatures(question, response);
  const decide = (reason?: string): CoverageDecision => ({ covered: !reason, features, reason });
  if (!response.hits.length) return decide('no paper matched');
  if (features.questionTerms === 0) return decide('the question has no content words');
  if (features.queryCoverage < rule.minQueryCoverage) return decide(`only ${(features.queryCoverage * 100).toFixed(0)}% of its words occur in the collection`);
  if (features.termOverlap < rule.minOverlap) return decide(`the best paper contains ${(features.termOverlap * 100).toFixed(0)}% of its words`);
  const denseNeeded = features.termOverlap >= rule.strongOverlap ? rule.minDenseWithStrongOverlap : rule.minDense;
  if (features.topDense < denseNeeded) return decide(`best passage similarity ${features.topDense.toFixed(2)} < ${denseNeeded}`);
  return decide();
}

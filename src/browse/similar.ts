/**
 * A paper's nearest neighbours in the collection by the cosine of their paper-level vectors (the
 * normalised mean of each paper's chunk vectors, so the whole abstract counts, not one passage).
 * An exact scan: at a few thousand papers it takes well under a millisecond per thousand.
 */
import { normalizeTitle } from '../corpus/normalize.js';
import { UserError } from '../errors.js';
import type { SimilarPaper } from './types.js';

/** Most neighbours one request may ask for. */
export const MAX_SIMILAR = 50;

/** Vectors this close are the same text listed twice, not a neighbour. */
const SAME_TEXT = 0.995;

export interface SimilarOptions {
  /** Paper id → title; papers whose normalised title equals the query paper's are duplicates and left out. */
  titles?: Map<string, string>;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Throws `UserError` for a `k` outside 1..`MAX_SIMILAR`. */
export function checkSimilarK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_SIMILAR) throw new UserError(`k must be a whole number from 1 to ${MAX_SIMILAR} (got ${k}).`);
}

/**
 * The `k` papers nearest to `paperId`, best first, leaving out the paper itself and its
 * duplicates (same normalised title, or an all but identical vector). Throws `UserError` for a
 * `k` outside 1..50 or an unknown paper.
 */
export function similarPapers(vectors: Map<string, Float32Array>, paperId: string, k: number, options: SimilarOptions = {}): SimilarPaper[] {
  checkSimilarK(k);
  const own = vectors.get(paperId);
  if (!own) throw new UserError(`No paper with id ${paperId} in the index.`);
  const ownTitle = options.titles?.get(paperId);
  const ownKey = ownTitle === undefined ? undefined : normalizeTitle(ownTitle);
  const scored: SimilarPaper[] = [];
  for (const [id, vector] of vectors) {
    if (id === paperId) continue;
    if (ownKey !== undefined) {
      const title = options.titles?.get(id);
      if (title !== undefined && normalizeTitle(title) === ownKey) continue;
    }
    const score = cosine(own, vector);
    if (score >= SAME_TEXT) continue;
    scored.push({ paperId: id, score: Number(score.toFixed(4)) });
  }
  return scored.sort((a, b) => b.score - a.score || a.paperId.localeCompare(b.paperId)).slice(0, k);
}

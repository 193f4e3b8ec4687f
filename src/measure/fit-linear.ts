/**
 * The two small models Litbot fits, in plain TypeScript (a dozen features need no ML library):
 * a listwise ranker (softmax cross-entropy over each question's candidate list) and a logistic
 * regression, both linear on standardised features with an L2 penalty, solved by Newton's
 * method (the losses are convex, so it converges in a few steps to the one optimum), and k-fold
 * cross-validation to choose the penalty.
 */
import { seededRandom } from '../browse/spherical-kmeans.js';

/** One question's candidates: a feature row per candidate and which are relevant. */
export interface RankList {
  x: number[][];
  relevant: boolean[];
  /** How much this list counts in the loss (default 1). */
  weight?: number;
}

/** One labelled example for the logistic regression. */
export interface LabelledRow {
  x: number[];
  y: 0 | 1;
  weight?: number;
}

export interface Standardiser {
  mean: number[];
  std: number[];
}

/** Mean and standard deviation of each column (std 1 for a constant column). */
export function standardiser(rows: number[][]): Standardiser {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean, std: std.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

export function standardise(row: number[], s: Standardiser): number[] {
  return row.map((v, j) => (v - s.mean[j]) / s.std[j]);
}

function dotv(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Solves `A x = b` for a symmetric positive definite A (Cholesky). */
export function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Minimises `f` (value, gradient, Hessian at w) from zero by damped Newton steps with
 * backtracking; `penalised` adds `lambda / 2 * |w|^2` to each, skipping the indices in `free`.
 */
function newton(d: number, objective: (w: number[]) => { value: number; grad: number[]; hess: number[][] }, lambda: number, free: Set<number> = new Set()): number[] {
  let w = new Array<number>(d).fill(0);
  const penalised = (v: number[]) => {
    const o = objective(v);
    let value = o.value;
    for (let j = 0; j < d; j++) {
      if (free.has(j)) continue;
      value += (lambda / 2) * v[j] * v[j];
      o.grad[j] += lambda * v[j];
      o.hess[j][j] += lambda;
    }
    // Keeps the system solvable when an unpenalised column is constant.
    for (let j = 0; j < d; j++) o.hess[j][j] += 1e-9;
    return { ...o, value };
  };
  let current = penalised(w);
  for (let iter = 0; iter < 100; iter++) {
    const step = solveSpd(current.hess, current.grad);
    let t = 1;
    let next = w.map((v, j) => v - t * step[j]);
    let candidate = penalised(next);
    while (candidate.value > current.value + 1e-12 && t > 1e-6) {
      t /= 2;
      next = w.map((v, j) => v - t * step[j]);
      candidate = penalised(next);
    }
    const moved = Math.sqrt(step.reduce((s, v) => s + (t * v) ** 2, 0));
    if (candidate.value > current.value) break;
    w = next;
    current = candidate;
    if (moved < 1e-9) break;
  }
  return w;
}

/** Per-list softmax probabilities of the scores. */
function softmax(scores: number[]): number[] {
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/**
 * Listwise loss of `w` on standardised lists: for each list, the cross-entropy between the
 * uniform distribution over its relevant candidates and the softmax of the scores; the lists'
 * weighted mean. Lists without a relevant candidate carry no signal and are skipped.
 */
export function listwiseObjective(lists: RankList[], w: number[]): { value: number; grad: number[]; hess: number[][] } {
  const d = w.length;
  const grad = new Array<number>(d).fill(0);
  const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  let value = 0;
  let total = 0;
  for (const list of lists) {
    const nRel = list.relevant.filter(Boolean).length;
    if (!nRel || list.x.length < 2) continue;
    const weight = list.weight ?? 1;
    total += weight;
    const p = softmax(list.x.map((x) => dotv(w, x)));
    const mean = new Array<number>(d).fill(0);
    list.x.forEach((x, i) => {
      const t = list.relevant[i] ? 1 / nRel : 0;
      if (t) value -= weight * t * Math.log(Math.max(p[i], 1e-300));
      for (let j = 0; j < d; j++) {
        grad[j] += weight * (p[i] - t) * x[j];
        mean[j] += p[i] * x[j];
      }
    });
    list.x.forEach((x, i) => {
      for (let a = 0; a < d; a++) {
        const pa = p[i] * x[a];
        for (let b = 0; b <= a; b++) hess[a][b] += weight * pa * x[b];
      }
    });
    for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) hess[a][b] -= weight * mean[a] * mean[b];
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b][a] = hess[a][b];
  const n = total || 1;
  return { value: value / n, grad: grad.map((g) => g / n), hess: hess.map((r) => r.map((v) => v / n)) };
}

/** Fits the listwise ranker on already standardised lists; returns the weights. */
export function fitListwise(lists: RankList[], lambda: number): number[] {
  const d = lists.find((l) => l.x.length)?.x[0].length ?? 0;
  return newton(d, (w) => listwiseObjective(lists, w), lambda);
}

/** Mean reciprocal rank at 10 (first relevant candidate) of `w` on standardised lists. */
export function mrrAt10(lists: RankList[], w: number[]): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    if (!list.relevant.some(Boolean)) continue;
    n++;
    const order = list.x.map((x, i) => ({ s: dotv(w, x), i })).sort((a, b) => b.s - a.s);
    const rank = order.findIndex((o) => list.relevant[o.i]) + 1;
    if (rank >= 1 && rank <= 10) sum += 1 / rank;
  }
  return n ? sum / n : 0;
}

/** Logistic regression with an unpenalised intercept, on standardised rows: `[intercept, ...weights]`. */
export function fitLogistic(rows: LabelledRow[], lambda: number): number[] {
  const d = (rows[0]?.x.length ?? 0) + 1;
  const objective = (w: number[]) => {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    let value = 0;
    let total = 0;
    for (const r of rows) {
      const x = [1, ...r.x];
      const weight = r.weight ?? 1;
      total += weight;
      const z = dotv(w, x);
      const p = 1 / (1 + Math.exp(-z));
      // log(1 + e^z) - y z, computed without overflow.
      value += weight * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - r.y * z);
      const h = weight * p * (1 - p);
      for (let a = 0; a < d; a++) {
        grad[a] += weight * (p - r.y) * x[a];
        for (let b = 0; b <= a; b++) hess[a][b] += h * x[a] * x[b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b][a] = hess[a][b];
    const n = total || 1;
    return { value: value / n, grad: grad.map((g) => g / n), hess: hess.map((r) => r.map((v) => v / n)) };
  };
  return newton(d, objective, lambda, new Set([0]));
}

/** The logistic model's probability for a standardised row. */
export function logisticProbability(w: number[], x: number[]): number {
  return 1 / (1 + Math.exp(-(w[0] + dotv(w.slice(1), x))));
}

/** A deterministic shuffle (seeded), so folds are the same on every run. */
export function shuffled<T>(items: T[], seed = 12): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Assigns each item a fold 0..k-1, balanced, in a seeded random order. */
export function folds<T>(items: T[], k: number, seed = 12): number[] {
  const order = shuffled(
    items.map((_, i) => i),
    seed,
  );
  const fold = new Array<number>(items.length).fill(0);
  order.forEach((item, position) => (fold[item] = position % k));
  return fold;
}

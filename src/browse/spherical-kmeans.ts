/**
 * Spherical k-means (k-means++ seeding, Lloyd iterations, cosine similarity) on unit vectors held
 * in one flat Float32Array. Written here rather than taken from ml-kmeans because ml-kmeans takes
 * `number[][]` and calls a distance function per pair: measured at about 5 µs per 512-dimension
 * distance, it would need minutes for 100,000 papers, where this tight loop needs seconds.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same clustering. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n unit vectors of `dim` numbers, row after row. */
export interface VectorSet {
  data: Float32Array;
  n: number;
  dim: number;
}

export interface KMeansFit {
  assignments: Int32Array;
  /** k unit centroids, row after row. */
  centroids: Float32Array;
  k: number;
  /** Sum over points of (1 - cosine to its centroid); lower is tighter. */
  cost: number;
  iterations: number;
}

export interface KMeansOptions {
  seed?: number;
  maxIterations?: number;
  /** Starting centroids (k rows) instead of k-means++ seeding. */
  init?: Float32Array;
}

function dotRow(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[ai + d] * b[bi + d];
  return s;
}

function normalizeRows(rows: Float32Array, count: number, dim: number): void {
  for (let r = 0; r < count; r++) {
    const o = r * dim;
    let n = 0;
    for (let d = 0; d < dim; d++) n += rows[o + d] * rows[o + d];
    n = Math.sqrt(n);
    if (n > 0) for (let d = 0; d < dim; d++) rows[o + d] /= n;
  }
}

/** k-means++ seeding with cosine distance (1 - cos), as D² sampling. */
function seedCentroids(x: VectorSet, k: number, random: () => number): Float32Array {
  const { data, n, dim } = x;
  const centroids = new Float32Array(k * dim);
  const closest = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    centroids.set(data.subarray(pick * dim, (pick + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dist = Math.max(0, 1 - dotRow(data, i * dim, centroids, c * dim, dim));
      if (dist < closest[i]) closest[i] = dist;
      total += closest[i] * closest[i];
    }
    if (c === k - 1) break;
    let target = random() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= closest[i] * closest[i];
      if (target <= 0) {
        pick = i;
        break;
      }
    }
  }
  return centroids;
}

/** Clusters unit vectors into k groups. Deterministic for the same data, k and seed. */
export function sphericalKMeans(x: VectorSet, k: number, options: KMeansOptions = {}): KMeansFit {
  const { data, n, dim } = x;
  if (k < 1 || k > n) throw new RangeError(`k must be between 1 and ${n}, got ${k}`);
  const random = seededRandom(options.seed ?? 42);
  const centroids = options.init ? Float32Array.from(options.init) : seedCentroids(x, k, random);
  const assignments = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  const sizes = new Int32Array(k);
  const maxIterations = options.maxIterations ?? 50;
  let cost = 0;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    cost = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestSim = -Infinity;
      for (let c = 0; c < k; c++) {
        const sim = dotRow(data, i * dim, centroids, c * dim, dim);
        if (sim > bestSim) {
          bestSim = sim;
          best = c;
        }
      }
      if (assignments[i] !== best) changed++;
      assignments[i] = best;
      cost += 1 - bestSim;
    }
    if (changed === 0 && iterations > 0) break;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      sizes[c]++;
      const o = c * dim;
      const p = i * dim;
      for (let d = 0; d < dim; d++) sums[o + d] += data[p + d];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        // An emptied cluster restarts at the point its current centroid fits worst.
        let worst = 0;
        let worstSim = Infinity;
        for (let i = 0; i < n; i++) {
          const sim = dotRow(data, i * dim, centroids, assignments[i] * dim, dim);
          if (sim < worstSim) {
            worstSim = sim;
            worst = i;
          }
        }
        centroids.set(data.subarray(worst * dim, (worst + 1) * dim), c * dim);
        continue;
      }
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d];
    }
    normalizeRows(centroids, k, dim);
  }
  return { assignments, centroids, k, cost, iterations };
}

/** Best of `restarts` seeded runs (lowest cost). */
export function bestOfKMeans(x: VectorSet, k: number, restarts: number, seed: number, maxIterations?: number): KMeansFit {
  let best: KMeansFit | undefined;
  for (let r = 0; r < restarts; r++) {
    const fit = sphericalKMeans(x, k, { seed: seed + r * 7919, maxIterations });
    if (!best || fit.cost < best.cost - 1e-9) best = fit;
  }
  return best!;
}

/** Pairwise cosine distances (1 - cos) of unit vectors, n × n. */
export function cosineDistances(x: VectorSet): Float32Array {
  const { data, n, dim } = x;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dist = 1 - dotRow(data, i * dim, data, j * dim, dim);
      out[i * n + j] = dist;
      out[j * n + i] = dist;
    }
  }
  return out;
}

/**
 * Mean silhouette of a clustering from precomputed distances. Points in singleton clusters count
 * 0, as in scikit-learn.
 */
export function silhouette(distances: Float32Array, n: number, assignments: ArrayLike<number>, k: number): number {
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) sizes[assignments[i]]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    const row = i * n;
    for (let j = 0; j < n; j++) if (j !== i) sums[assignments[j]] += distances[row + j];
    const own = assignments[i];
    if (sizes[own] <= 1) continue;
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Orthonormalises the columns of a rows × cols matrix (row-major) in place (modified Gram-Schmidt). */
function orthonormalizeColumns(m: Float64Array, rows: number, cols: number): void {
  for (let c = 0; c < cols; c++) {
    for (let p = 0; p < c; p++) {
      let d = 0;
      for (let r = 0; r < rows; r++) d += m[r * cols + c] * m[r * cols + p];
      for (let r = 0; r < rows; r++) m[r * cols + c] -= d * m[r * cols + p];
    }
    let n = 0;
    for (let r = 0; r < rows; r++) n += m[r * cols + c] ** 2;
    n = Math.sqrt(n) || 1;
    for (let r = 0; r < rows; r++) m[r * cols + c] /= n;
  }
}

/** Eigenvectors (columns) and eigenvalues of a small symmetric matrix, by cyclic Jacobi rotations. */
function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { values, vectors: v };
}

/**
 * The top `r` right singular vectors of a set of vectors (latent semantic analysis), by
 * randomized SVD with two power iterations (Halko, Martinsson and Tropp 2011). Returns r rows of
 * `dim` numbers: projecting onto them keeps the directions the collection varies along most.
 */
export function principalDirections(x: VectorSet, r: number, seed = 42): Float32Array {
  const { data, n, dim } = x;
  const l = Math.min(r + 10, n, dim);
  const random = seededRandom(seed);
  // Y = X Ω, with Ω gaussian (dim × l).
  const omega = new Float64Array(dim * l);
  for (let i = 0; i < omega.length; i++) omega[i] = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const times = (right: Float64Array): Float64Array => {
    const out = new Float64Array(n * l);
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      for (let d = 0; d < dim; d++) {
        const v = data[o + d];
        if (v === 0) continue;
        const ro = d * l;
        for (let c = 0; c < l; c++) out[i * l + c] += v * right[ro + c];
      }
    }
    return out;
  };
  const transposeTimes = (left: Float64Array): Float64Array => {
    const out = new Float64Array(dim * l);
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      for (let d = 0; d < dim; d++) {
        const v = data[o + d];
        if (v === 0) continue;
        const ro = d * l;
        for (let c = 0; c < l; c++) out[ro + c] += v * left[i * l + c];
      }
    }
    return out;
  };
  let q = times(omega);
  orthonormalizeColumns(q, n, l);
  for (let it = 0; it < 2; it++) {
    const z = transposeTimes(q);
    orthonormalizeColumns(z, dim, l);
    q = times(z);
    orthonormalizeColumns(q, n, l);
  }
  // B = Qᵀ X is l × dim; stored transposed (dim × l) as Xᵀ Q. Its top right singular vectors are X's.
  const bt = transposeTimes(q);
  const bbt = new Float64Array(l * l);
  for (let d = 0; d < dim; d++) for (let a = 0; a < l; a++) for (let b = 0; b < l; b++) bbt[a * l + b] += bt[d * l + a] * bt[d * l + b];
  const { values, vectors } = symmetricEigen(bbt, l);
  const order = [...values.keys()].sort((a, b) => values[b] - values[a]).slice(0, Math.min(r, l));
  const out = new Float32Array(order.length * dim);
  order.forEach((e, row) => {
    const sigma = Math.sqrt(Math.max(values[e], 1e-24));
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += bt[d * l + a] * vectors[a * l + e];
      out[row * dim + d] = s / sigma;
    }
  });
  return out;
}

/** Each vector's coordinates along `directions` (r rows), renormalised to unit length. */
export function project(x: VectorSet, directions: Float32Array): VectorSet {
  const { data, n, dim } = x;
  const r = directions.length / dim;
  const out = new Float32Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < r; c++) out[i * r + c] = dotRow(data, i * dim, directions, c * dim, dim);
  }
  normalizeRows(out, n, r);
  return { data: out, n, dim: r };
}

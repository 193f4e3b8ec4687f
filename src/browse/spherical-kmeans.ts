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
 * randomized SVD with four power iterations (Halko, Martinsson and Tropp 2011). Returns r rows of
 * `dim` numbers: projecting onto them keeps the directions the collection varies along most.
 */
export function principalDirections(x: VectorSet, r: number, seed = 42): Float32Array {
  const { data, n, dim } = x;
  // Text spectra decay slowly: twice the rank asked for, and four power iterations, keep over 99%
  // of what the exact top-r directions would (measured on the seed papers).
  const l = Math.min(2 * r + 10, n, dim);
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
  for (let it = 0; it < 4; it++) {
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

/** One merge of a hierarchical clustering: the clusters represented by rows `a` and `b` join at `height`. */
export interface Merge {
  a: number;
  b: number;
  height: number;
}

/**
 * Ward's agglomerative clustering of unit vectors (squared euclidean distance, 2 - 2 cos), by the
 * nearest-neighbour chain algorithm with Lance-Williams updates: O(n²) time and memory, so meant
 * for a sample of up to a few thousand vectors. Returns the n - 1 merges, lowest first; a merge
 * names each side by one of its rows. Deterministic.
 */
export function wardMerges(x: VectorSet): Merge[] {
  const { data, n, dim } = x;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max(0, 2 - 2 * dotRow(data, i * dim, data, j * dim, dim));
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const merges: Merge[] = [];
  const chain: number[] = [];
  let remaining = n;
  let nextStart = 0;
  while (remaining > 1) {
    if (!chain.length) {
      while (!active[nextStart]) nextStart++;
      chain.push(nextStart);
    }
    const a = chain[chain.length - 1];
    const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
    // The previous link wins ties, so the chain cannot cycle.
    let b = previous;
    let best = previous >= 0 ? d[a * n + previous] : Infinity;
    for (let m = 0; m < n; m++) {
      if (m === a || !active[m]) continue;
      const v = d[a * n + m];
      if (v < best) {
        best = v;
        b = m;
      }
    }
    if (b !== previous) {
      chain.push(b);
      continue;
    }
    // a and b are each other's nearest: merge b into a.
    chain.length -= 2;
    merges.push({ a: Math.min(a, b), b: Math.max(a, b), height: best });
    const keep = Math.min(a, b);
    const drop = Math.max(a, b);
    const sa = size[a];
    const sb = size[b];
    for (let m = 0; m < n; m++) {
      if (!active[m] || m === a || m === b) continue;
      const sm = size[m];
      const v = ((sa + sm) * d[a * n + m] + (sb + sm) * d[b * n + m] - sm * best) / (sa + sb + sm);
      d[keep * n + m] = v;
      d[m * n + keep] = v;
    }
    size[keep] = sa + sb;
    active[drop] = 0;
    remaining--;
  }
  // Ward's heights never decrease up the tree, so sorting (stably) gives a valid merge order.
  return merges
    .map((m, i) => ({ m, i }))
    .sort((p, q) => p.m.height - q.m.height || p.i - q.i)
    .map(({ m }) => m);
}

/** The k clusters left after the lowest n - k merges, numbered 0..k-1 in order of their first row. */
export function cutMerges(merges: Merge[], n: number, k: number): Int32Array {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let s = 0; s < Math.max(0, n - k) && s < merges.length; s++) parent[find(merges[s].b)] = find(merges[s].a);
  const ids = new Map<number, number>();
  return Int32Array.from({ length: n }, (_, i) => {
    const root = find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    return ids.get(root)!;
  });
}

/** Unit centroids (k rows) of labelled unit vectors; rows labelled -1 are left out. */
export function centroidsOf(x: VectorSet, labels: ArrayLike<number>, k: number): Float32Array {
  const { data, n, dim } = x;
  const out = new Float32Array(k * dim);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    for (let d = 0; d < dim; d++) out[c * dim + d] += data[i * dim + d];
  }
  normalizeRows(out, k, dim);
  return out;
}

/** Sparse rows (compressed sparse row): row i holds `values[rowStart[i]..rowStart[i+1]]` at columns `columns[...]`. */
export interface SparseRows {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float32Array;
  n: number;
  dim: number;
}

/**
 * Latent semantic analysis of sparse rows: each row's coordinates along the top `r` right
 * singular vectors (randomized SVD, Halko, Martinsson and Tropp 2011, with four power iterations)
 * of the rows `fitRows` (all rows by default), renormalised to unit length. When the fitted rows
 * number no more than r + 10, the decomposition is exact and so, for those rows, is every cosine
 * between them: the result is the TF-IDF geometry in fewer, dense dimensions.
 */
export function sparseLatentCoordinates(x: SparseRows, r: number, seed = 42, fitRows?: number[]): VectorSet {
  const { rowStart, columns, values, n, dim } = x;
  const rows = fitRows ?? [...Array(n).keys()];
  const m = rows.length;
  const l = Math.min(r + 10, m, dim);
  if (l === 0) return { data: new Float32Array(n), n, dim: 1 };
  // times: (fitted rows, m × dim, sparse) · (dim × c) -> m × c;  transposeTimes: (dim × m) · (m × c) -> dim × c.
  const times = (right: Float64Array, c: number): Float64Array => {
    const out = new Float64Array(m * c);
    rows.forEach((row, i) => {
      for (let p = rowStart[row]; p < rowStart[row + 1]; p++) {
        const v = values[p];
        const ro = columns[p] * c;
        for (let j = 0; j < c; j++) out[i * c + j] += v * right[ro + j];
      }
    });
    return out;
  };
  const transposeTimes = (left: Float64Array, c: number): Float64Array => {
    const out = new Float64Array(dim * c);
    rows.forEach((row, i) => {
      for (let p = rowStart[row]; p < rowStart[row + 1]; p++) {
        const v = values[p];
        const ro = columns[p] * c;
        for (let j = 0; j < c; j++) out[ro + j] += v * left[i * c + j];
      }
    });
    return out;
  };
  // Q: an orthonormal basis (m × l) of the range of X. Every product stays on the side of the
  // rows (m × l), never the vocabulary's (dim × l²), so a large vocabulary costs little.
  let q: Float64Array;
  if (l === m) {
    // l spans every fitted row: the identity is an exact basis.
    q = new Float64Array(m * l);
    for (let i = 0; i < m; i++) q[i * l + i] = 1;
  } else {
    const random = seededRandom(seed);
    const omega = new Float64Array(dim * l);
    for (let i = 0; i < omega.length; i++) omega[i] = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    q = times(omega, l);
    orthonormalizeColumns(q, m, l);
    // Text spectra decay slowly: four power iterations, as in principalDirections.
    for (let it = 0; it < 4; it++) {
      q = times(transposeTimes(q, l), l);
      orthonormalizeColumns(q, m, l);
    }
  }
  // Qᵀ X Xᵀ Q = W Σ² Wᵀ; then X ≈ (Q W) Σ Vᵀ, and the directions V = Xᵀ (Q W) Σ⁻¹.
  const y = times(transposeTimes(q, l), l);
  const small = new Float64Array(l * l);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < l; a++) {
      const qa = q[i * l + a];
      if (qa === 0) continue;
      for (let b = 0; b < l; b++) small[a * l + b] += qa * y[i * l + b];
    }
  }
  for (let a = 0; a < l; a++) {
    for (let b = a + 1; b < l; b++) {
      const v = (small[a * l + b] + small[b * l + a]) / 2;
      small[a * l + b] = v;
      small[b * l + a] = v;
    }
  }
  const { values: eig, vectors: w } = symmetricEigen(small, l);
  const top = Math.max(...eig, 0);
  const order = [...eig.keys()]
    .filter((e) => eig[e] > top * 1e-10)
    .sort((a, b) => eig[b] - eig[a])
    .slice(0, r);
  const k = Math.max(1, order.length);
  const u = new Float64Array(m * k);
  order.forEach((e, c) => {
    const sigma = Math.sqrt(eig[e]);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += q[i * l + a] * w[a * l + e];
      u[i * k + c] = s / sigma;
    }
  });
  const directions = transposeTimes(u, k);
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
      const v = values[p];
      const ro = columns[p] * k;
      for (let c = 0; c < k; c++) out[i * k + c] += v * directions[ro + c];
    }
  }
  normalizeRows(out, n, k);
  return { data: out, n, dim: k };
}

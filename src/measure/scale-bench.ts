/**
 * The index at scale, on synthetic data: HNSW (hnswlib-node) against exact search on clustered
 * 512-dimension unit vectors at 10k, 100k and 1M, the topic clustering at 10k and 100k papers, and
 * the title lookup at 100k titles. Prints tables; every figure is measured here, except rows
 * marked "extrapolated", which say so.
 */
import { InvalidArgumentError } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { clusterVectors } from '../browse/topics.js';
import { principalDirections, seededRandom, type VectorSet } from '../browse/spherical-kmeans.js';
import { TitleIndex } from '../browse/title-lookup.js';
import { hnswlib } from '../indexing/hnswlib-build.js';
import { buildSharded } from './sharded-hnsw.js';
import { normalizedMutualInformation } from './topic-eval.js';

export interface ScaleBenchOptions {
  /** Collection sizes for the vector-index rows. */
  sizes?: number[];
  /** Paper counts for the clustering rows (only those <= the largest of `sizes` unless given). */
  clusterSizes?: number[];
  /** Titles for the lookup row; 0 skips it. */
  lookupTitles?: number;
  /** Queries per size (fewer exact ones at 1M, where each takes a fraction of a second). */
  queries?: number;
  m?: number;
  efConstruction?: number;
  /** efSearch values tried; the table shows each, and the summary the smallest reaching recall 0.95. */
  efSearch?: number[];
  /** Above this projected HNSW build time a size is measured on a prefix and extrapolated. */
  maxBuildMinutes?: number;
  dimensions?: number;
  /** `embedding-like` (default): shaped like real USE-lite vectors; `blobs`: isotropic gaussian blobs, a worst case. */
  data?: 'embedding-like' | 'blobs';
  /**
   * Keep each size's built graph (and its exact ground truth) in this folder, and load it on a
   * later run with the same size, data, M and efConstruction instead of building again: query
   * figures can then be taken again on a quiet machine without a 50-minute rebuild.
   */
  graphDir?: string;
  /**
   * Build the graph over the vectors' top `reduce` principal components (centred, L2) instead of
   * all dimensions, and re-rank each query's efSearch candidates by the exact inner product on the
   * full vectors: a graph a quarter the size is cheaper to build and to walk, at the cost of
   * keeping the full vectors beside it. 0: off.
   */
  reduce?: number;
  /**
   * Split the index into this many shards, one per worker thread, built at the same time and
   * searched in parallel for each query (`sharded-hnsw.ts`); 1: one graph on the main thread.
   * A sharded size is always built whole (no --max-build-minutes extrapolation).
   */
  shards?: number;
  log: (line: string) => void;
}

const DIM = 512;

/** Standard normal draws from a uniform source (Box-Muller, both values used). */
function gaussianSource(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = random() || 1e-12;
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Gaussian blobs on the unit sphere: `clusters` random centres, each point a centre plus noise. */
export function syntheticVectors(n: number, options: { dim?: number; clusters?: number; noise?: number; seed?: number } = {}): VectorSet & { labels: Int32Array } {
  const dim = options.dim ?? DIM;
  const clusters = options.clusters ?? Math.max(10, Math.round(n / 500));
  const noise = options.noise ?? 0.8;
  const random = seededRandom(options.seed ?? 7);
  const gaussian = gaussianSource(random);
  const centres = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const g = gaussian();
      centres[c * dim + d] = g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d++) centres[c * dim + d] /= norm;
  }
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const scale = noise / Math.sqrt(dim);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * clusters);
    labels[i] = c;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = centres[c * dim + d] + scale * gaussian();
      data[i * dim + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d++) data[i * dim + d] /= norm;
  }
  return { data, n, dim, labels };
}

/**
 * The shape of real USE-lite vectors, measured on the seed index's 1,037 chunk vectors
 * (`npm run bench -- --scale` prints the same measurements for the synthetic data): a shared mean
 * direction of norm 0.79; a total variance of 0.373 spread over the axes as a power law (the
 * k-th principal variance falls as k^-1.13; the top 50 of 512 axes hold 81%); 13% of it between
 * topics, 52% between papers within a topic and 35% between chunks of one paper.
 */
export const USE_LITE_SHAPE = { meanNorm: 0.79, totalVariance: 0.373, exponent: 1.13, topicShare: 0.13, paperShare: 0.52, chunksPerPaper: 6.5, papersPerTopic: 800 };

/**
 * Synthetic vectors shaped like real text embeddings (see `USE_LITE_SHAPE`): chunks around papers
 * around topics, with a power-law spectrum, then scaled to unit length. Isotropic gaussian blobs
 * (`syntheticVectors`) are a much harder worst case: their neighbourhoods have hundreds of
 * intrinsic dimensions where real embeddings have a handful.
 */
export function embeddingLikeVectors(n: number, options: { dim?: number; seed?: number } = {}): VectorSet & { labels: Int32Array } {
  const dim = options.dim ?? DIM;
  const shape = USE_LITE_SHAPE;
  const random = seededRandom(options.seed ?? 7);
  const gaussian = gaussianSource(random);
  // Per-axis standard deviations of the power-law spectrum, scaled to the total variance.
  const raw = Array.from({ length: dim }, (_, k) => Math.pow(k + 1, -shape.exponent));
  const rawTotal = raw.reduce((a, b) => a + b, 0);
  const sd = Float64Array.from(raw, (v) => Math.sqrt((v / rawTotal) * shape.totalVariance));
  const mean = new Float64Array(dim);
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += (mean[d] = gaussian()) ** 2;
  for (let d = 0; d < dim; d++) mean[d] *= shape.meanNorm / Math.sqrt(norm);
  const draw = (share: number, out: Float64Array, base: ArrayLike<number>) => {
    const f = Math.sqrt(share);
    for (let d = 0; d < dim; d++) out[d] = base[d] + f * sd[d] * gaussian();
  };
  const papers = Math.max(1, Math.round(n / shape.chunksPerPaper));
  const topics = Math.max(1, Math.round(papers / shape.papersPerTopic));
  const topicCentres = Array.from({ length: topics }, () => {
    const c = new Float64Array(dim);
    draw(shape.topicShare, c, mean);
    return c;
  });
  const paperCentres = Array.from({ length: papers }, () => {
    const c = new Float64Array(dim);
    draw(shape.paperShare, c, topicCentres[Math.floor(random() * topics)]);
    return c;
  });
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const x = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(random() * papers);
    labels[i] = p;
    draw(1 - shape.topicShare - shape.paperShare, x, paperCentres[p]);
    let len = 0;
    for (let d = 0; d < dim; d++) len += x[d] * x[d];
    len = Math.sqrt(len);
    for (let d = 0; d < dim; d++) data[i * dim + d] = x[d] / len;
  }
  return { data, n, dim, labels };
}

/** TwoNN intrinsic dimension (Facco et al. 2017) of the first `sample` vectors: how many directions neighbourhoods really have. */
export function twoNnDimension(x: VectorSet, sample = 1000): number {
  const { data, dim } = x;
  const m = Math.min(sample, x.n);
  let sumLog = 0;
  let count = 0;
  for (let i = 0; i < m; i++) {
    let d1 = Infinity;
    let d2 = Infinity;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = data[i * dim + d] - data[j * dim + d];
        s += t * t;
      }
      if (s < d1) {
        d2 = d1;
        d1 = s;
      } else if (s < d2) d2 = s;
    }
    if (d1 > 0 && Number.isFinite(d2)) {
      sumLog += 0.5 * Math.log(d2 / d1);
      count++;
    }
  }
  return count / sumLog;
}

/** Exact top-k by inner product: the brute-force baseline and the ground truth. */
export function exactTopK(x: VectorSet, query: Float32Array, k: number, limit = x.n): Int32Array {
  const { data, dim } = x;
  const ids = new Int32Array(k).fill(-1);
  const sims = new Float64Array(k).fill(-Infinity);
  for (let i = 0; i < limit; i++) {
    const o = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[o + d] * query[d];
    if (s <= sims[k - 1]) continue;
    let j = k - 1;
    while (j > 0 && sims[j - 1] < s) {
      sims[j] = sims[j - 1];
      ids[j] = ids[j - 1];
      j--;
    }
    sims[j] = s;
    ids[j] = i;
  }
  return ids;
}

/** The top k of `candidates` by exact inner product with `query`, best first. */
export function rerank(x: VectorSet, query: Float32Array, candidates: number[], k: number): number[] {
  const { data, dim } = x;
  const scored = candidates.map((id) => {
    let s = 0;
    const o = id * dim;
    for (let d = 0; d < dim; d++) s += data[o + d] * query[d];
    return { id, s };
  });
  return scored
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((c) => c.id);
}

/**
 * PCA to `r` dimensions fitted on 4,000 evenly spaced vectors: `apply` maps a vector to its
 * coordinates along the top `r` principal directions of the centred sample (randomized SVD).
 * L2 distances there approximate the full ones along the directions the data varies most.
 */
export function pcaReducer(x: VectorSet, r: number, log: (line: string) => void = () => {}): { apply: (v: Float32Array) => Float32Array; keptVariance: number } {
  const { data, n, dim } = x;
  const t0 = performance.now();
  const m = Math.min(n, 4000);
  const rowOf = (i: number) => Math.floor((i * n) / m);
  const mean = new Float64Array(dim);
  for (let i = 0; i < m; i++) for (let d = 0; d < dim; d++) mean[d] += data[rowOf(i) * dim + d] / m;
  const sample = new Float32Array(m * dim);
  let total = 0;
  for (let i = 0; i < m; i++) {
    for (let d = 0; d < dim; d++) {
      const v = data[rowOf(i) * dim + d] - mean[d];
      sample[i * dim + d] = v;
      total += v * v;
    }
  }
  const directions = principalDirections({ data: sample, n: m, dim }, r, 17);
  const rows = directions.length / dim;
  const apply = (v: Float32Array): Float32Array => {
    const out = new Float32Array(rows);
    for (let c = 0; c < rows; c++) {
      let s = 0;
      const o = c * dim;
      for (let d = 0; d < dim; d++) s += directions[o + d] * (v[d] - mean[d]);
      out[c] = s;
    }
    return out;
  };
  let kept = 0;
  for (let i = 0; i < m; i++) for (const c of apply(data.subarray(rowOf(i) * dim, (rowOf(i) + 1) * dim))) kept += c * c;
  const keptVariance = kept / total;
  log(`PCA to ${rows} dimensions on ${m} vectors: keeps ${(keptVariance * 100).toFixed(1)}% of the variance around the mean (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return { apply, keptVariance };
}

/** Like `benchSize`, for an index split into `o.shards` shards built and searched in parallel. */
async function benchSharded(x: VectorSet, queries: VectorSet, o: Required<Omit<ScaleBenchOptions, 'log'>>, log: (l: string) => void): Promise<SizeResult> {
  const { n, dim } = x;
  const tag = `[${human(n)}]`;
  const shared = new Float32Array(new SharedArrayBuffer(n * dim * 4));
  shared.set(x.data);
  const xs: VectorSet = { data: shared, n, dim };
  const saved = o.graphDir ? join(o.graphDir, `hnsw-${o.data}-${n}-d${dim}-M${o.m}-efc${o.efConstruction}-${o.shards}shards`) : undefined;
  if (saved) mkdirSync(o.graphDir, { recursive: true });
  const rssBefore = process.memoryUsage().rss;
  const index = await buildSharded({
    data: shared,
    n,
    dim,
    shards: o.shards,
    m: o.m,
    efConstruction: o.efConstruction,
    files: saved ? Array.from({ length: o.shards }, (_, s) => `${saved}-${s + 1}.bin`) : undefined,
    log: (line) => log(`${tag} ${line}`),
  });
  const rssBytes = process.memoryUsage().rss - rssBefore;
  try {
    const meta = saved && index.loaded && existsSync(`${saved}.json`) ? (JSON.parse(readFileSync(`${saved}.json`, 'utf8')) as GraphMeta) : undefined;
    let buildSeconds = index.buildSeconds;
    if (meta) {
      log(`${tag} the ${o.shards} shards were built earlier, in ${meta.buildSeconds.toFixed(0)} s`);
      buildSeconds = meta.buildSeconds;
    } else if (saved) writeFileSync(`${saved}.json`, JSON.stringify({ buildSeconds, built: n } satisfies GraphMeta));
    const { truth, exactTimes } = keptGroundTruth(xs, queries, n, o, log);
    const rows = await measureRows(o.efSearch, queries, truth, (query, ef) => index.search(query, 10, ef));
    return {
      n,
      buildSeconds,
      built: n,
      extrapolated: false,
      rssBytes,
      rows,
      exactP50: percentile(exactTimes, 50),
      exactP95: percentile(exactTimes, 95),
      exactQueries: exactTimes.length,
    };
  } finally {
    await index.close();
  }
}

/** Exact top-10 of each query over the first `limit` vectors, and the time each scan took. */
function groundTruth(x: VectorSet, queries: VectorSet, limit: number): { truth: Int32Array[]; exactTimes: number[] } {
  const truth: Int32Array[] = [];
  const exactTimes: number[] = [];
  for (let q = 0; q < queries.n; q++) {
    const query = queries.data.subarray(q * x.dim, (q + 1) * x.dim);
    const t0 = performance.now();
    truth.push(exactTopK(x, query, 10, limit));
    exactTimes.push(performance.now() - t0);
  }
  return { truth, exactTimes };
}

/**
 * `groundTruth`, kept in `--graph-dir` as one file per data kind, size and query count: it
 * depends on nothing else, so every graph variant of a size (M, efConstruction, --reduce,
 * --shards) reuses the one exact scan (four minutes at 1M). Only whole sizes are kept.
 */
function keptGroundTruth(
  x: VectorSet,
  queries: VectorSet,
  limit: number,
  o: { graphDir: string; data: string },
  log: (l: string) => void,
): { truth: Int32Array[]; exactTimes: number[] } {
  const file = o.graphDir && limit === x.n ? join(o.graphDir, `truth-${o.data}-${x.n}-d${x.dim}-q${queries.n}.json`) : undefined;
  const tag = `[${human(x.n)}]`;
  if (file && existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { truth: number[][]; exactTimes: number[] };
    log(`${tag} exact top-10 for ${queries.n} queries read from ${file}`);
    return { truth: kept.truth.map((row) => Int32Array.from(row)), exactTimes: kept.exactTimes };
  }
  log(`${tag} exact top-10 for ${queries.n} queries ...`);
  const result = groundTruth(x, queries, limit);
  if (file) {
    mkdirSync(o.graphDir, { recursive: true });
    writeFileSync(file, JSON.stringify({ truth: result.truth.map((row) => Array.from(row)), exactTimes: result.exactTimes }));
  }
  return result;
}

/** Latency percentiles and recall@10 against `truth` for each efSearch, one query at a time. */
async function measureRows(
  efSearch: number[],
  queries: VectorSet,
  truth: Int32Array[],
  search: (query: Float32Array, ef: number) => number[] | Promise<number[]>,
): Promise<SizeResult['rows']> {
  const rows: SizeResult['rows'] = [];
  const queryVectors = Array.from({ length: queries.n }, (_, q) => queries.data.subarray(q * queries.dim, (q + 1) * queries.dim));
  for (const ef of efSearch) {
    const times: number[] = [];
    let hits = 0;
    // One warm-up pass so the first row does not pay for page faults.
    if (rows.length === 0) for (const qv of queryVectors.slice(0, 20)) await search(qv, ef);
    for (let q = 0; q < queryVectors.length; q++) {
      const t0 = performance.now();
      const neighbors = await search(queryVectors[q], ef);
      times.push(performance.now() - t0);
      const expected = new Set(truth[q]);
      for (const id of neighbors) if (expected.has(id)) hits++;
    }
    rows.push({ ef, p50: percentile(times, 50), p95: percentile(times, 95), recall: hits / (10 * queries.n) });
  }
  return rows;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const human = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const pad = (s: string, w: number) => s.padEnd(w);

/** What `--graph-dir` keeps beside a graph; the ground truth is kept once per size (`keptGroundTruth`). */
interface GraphMeta {
  buildSeconds: number;
  built: number;
}

interface SizeResult {
  n: number;
  buildSeconds: number;
  built: number;
  extrapolated: boolean;
  rssBytes: number;
  rows: { ef: number; p50: number; p95: number; recall: number }[];
  exactP50: number;
  exactP95: number;
  exactQueries: number;
}

async function benchSize(n: number, o: Required<Omit<ScaleBenchOptions, 'log'>>, log: (l: string) => void): Promise<SizeResult> {
  const dim = o.dimensions;
  // At 1M every exact query scans 2 GiB; fewer queries keep the ground truth affordable.
  const queryCount = n >= 1_000_000 ? Math.min(o.queries, 100) : o.queries;
  log(`\n[${human(n)}] generating ${human(n)} ${o.data} ${dim}-d unit vectors ...`);
  // One stream of points from the same distribution: the first n are indexed, the rest are
  // queries (near the data, not in it).
  const all =
    o.data === 'blobs' ? syntheticVectors(n + queryCount, { dim, seed: 11, clusters: Math.max(10, Math.round(n / 500)) }) : embeddingLikeVectors(n + queryCount, { dim, seed: 11 });
  const x: VectorSet = { data: all.data.subarray(0, n * dim), n, dim };
  const queries: VectorSet = { data: all.data.subarray(n * dim), n: queryCount, dim };
  if (o.shards > 1) return benchSharded(x, queries, o, log);

  // With --reduce, the graph holds P(x - mean) for the top principal directions P of a sample.
  const reduced = o.reduce > 0 && o.reduce < dim ? pcaReducer(x, o.reduce, (line) => log(`[${human(n)}] ${line}`)) : undefined;
  const graphDim = reduced ? o.reduce : dim;
  const graphRow = (i: number): number[] => Array.from(reduced ? reduced.apply(x.data.subarray(i * dim, (i + 1) * dim)) : x.data.subarray(i * dim, (i + 1) * dim));

  const rssBefore = process.memoryUsage().rss;
  const index = new (hnswlib().lib.HierarchicalNSW)(reduced ? 'l2' : 'ip', graphDim);
  const saved = o.graphDir ? join(o.graphDir, `hnsw-${o.data}-${n}-d${graphDim}${reduced ? 'pca' : ''}-M${o.m}-efc${o.efConstruction}`) : undefined;
  let buildSeconds = 0;
  let built = 0;
  let extrapolated = false;
  let loaded = false;
  if (saved && existsSync(`${saved}.json`) && existsSync(`${saved}.bin`)) {
    const meta = JSON.parse(readFileSync(`${saved}.json`, 'utf8')) as GraphMeta;
    if (meta.built === n) {
      const t0 = performance.now();
      await index.readIndex(`${saved}.bin`);
      log(`[${human(n)}] loaded the graph built earlier (in ${meta.buildSeconds.toFixed(0)} s) from ${saved}.bin in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      ({ buildSeconds, built } = meta);
      loaded = true;
    }
  }
  if (!loaded) {
    index.initIndex(n, o.m, o.efConstruction, 100);
    const start = performance.now();
    const probe = Math.max(1000, Math.floor(n * 0.02));
    for (let i = 0; i < n; i++) {
      index.addPoint(graphRow(i), i);
      built++;
      if (i + 1 === probe && n > probe) {
        // Insert cost grows about with log n; project from the probe with that factor.
        const rate = (performance.now() - start) / 1000 / probe;
        const projected = rate * n * (Math.log(n) / Math.log(probe));
        log(`[${human(n)}] first ${human(probe)} inserts: ${(rate * 1000).toFixed(2)} ms each; projected build ${(projected / 60).toFixed(1)} min`);
        if (projected / 60 > o.maxBuildMinutes) {
          extrapolated = true;
          break;
        }
      }
      if ((i + 1) % Math.max(1, Math.floor(n / 10)) === 0) log(`[${human(n)}] built ${human(i + 1)} (${((performance.now() - start) / 1000).toFixed(0)} s)`);
    }
    buildSeconds = (performance.now() - start) / 1000;
    if (extrapolated) buildSeconds = (buildSeconds / built) * n * (Math.log(n) / Math.log(built));
  }
  const rssBytes = process.memoryUsage().rss - rssBefore;

  if (saved && !loaded && !extrapolated) {
    mkdirSync(o.graphDir, { recursive: true });
    await index.writeIndex(`${saved}.bin`);
    writeFileSync(`${saved}.json`, JSON.stringify({ buildSeconds, built } satisfies GraphMeta));
    log(`[${human(n)}] graph kept in ${saved}.bin; a later run with --graph-dir ${o.graphDir} loads it`);
  }
  // Ground truth over what was indexed, so recall is about the graph, not the missing rows.
  const { truth, exactTimes } = keptGroundTruth(x, queries, built, o, log);

  const search = (query: Float32Array, ef: number): number[] => {
    index.setEf(ef);
    if (!reduced) return index.searchKnn(Array.from(query), 10).neighbors;
    // All efSearch candidates from the reduced graph, re-ranked by the exact inner product.
    const candidates = index.searchKnn(Array.from(reduced.apply(query)), Math.min(ef, built)).neighbors;
    return rerank(x, query, candidates, 10);
  };
  const rows = await measureRows(o.efSearch, queries, truth, search);
  return { n, buildSeconds, built, extrapolated, rssBytes, rows, exactP50: percentile(exactTimes, 50), exactP95: percentile(exactTimes, 95), exactQueries: exactTimes.length };
}

const WORDS = `learning language model models large neural network networks training fine-tuning instruction tuning continual
  catastrophic forgetting unlearning retrieval augmented generation graph attention transformer transformers efficient
  scaling laws reasoning chain thought distillation knowledge parameter adaptation low-rank mixture experts benchmark
  evaluating understanding towards robust sparse dense multimodal vision code generation agents tool planning alignment
  preference optimization reinforcement feedback reward policy data selection synthetic curriculum incremental class
  domain adaptive representation contrastive embedding search ranking recommendation interpretability circuits mechanistic
  probing memory long-context decoding parallel speculative quantization pruning compression federated privacy membership
  inference copyright detection watermark multilingual translation summarization question answering dialogue
  hallucination factuality calibration uncertainty`.split(/\s+/);

/** Plausible titles: a made-up acronym now and then, then four to nine field words. */
export function syntheticTitles(n: number, seed = 5): string[] {
  const random = seededRandom(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  const titles: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 4 + Math.floor(random() * 6) }, pick);
    const title = words.map((w, j) => (j === 0 || random() < 0.5 ? w[0].toUpperCase() + w.slice(1) : w)).join(' ');
    const acronym = random() < 0.3 ? `${Array.from({ length: 3 + Math.floor(random() * 3) }, () => String.fromCharCode(65 + Math.floor(random() * 26))).join('')}: ` : '';
    titles.push(`${acronym}${title} ${i}`);
  }
  return titles;
}

function typo(word: string, random: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

function benchLookup(n: number, log: (l: string) => void): void {
  const titles = syntheticTitles(n);
  const t0 = performance.now();
  const index = new TitleIndex(titles.map((title, i) => ({ paperId: String(i), title })));
  const buildMs = performance.now() - t0;
  const random = seededRandom(9);
  const kinds: Record<string, string[]> = { partial: [], typo: [], acronym: [], lowercase: [], unknown: [] };
  for (let q = 0; q < 200; q++) {
    const title = titles[Math.floor(random() * n)];
    const words = title.split(' ').filter((w) => !/^\d+$/.test(w) && !w.endsWith(':'));
    kinds.partial.push(`${words[0]} ${words[1].slice(0, 3)}`);
    kinds.typo.push(
      words
        .slice(0, 3)
        .map((w) => typo(w.toLowerCase(), random))
        .join(' '),
    );
    // Acronym queries come from the titles that have one (about 30%).
    let withAcronym = title;
    while (!/^[A-Z]{3,5}:/.test(withAcronym)) withAcronym = titles[Math.floor(random() * n)];
    kinds.acronym.push(/^([A-Z]{3,5}):/.exec(withAcronym)![1].toLowerCase());
    kinds.lowercase.push(words.slice(0, 4).join(' ').toLowerCase());
    kinds.unknown.push(`zzq${q} wqx`);
  }
  log(`\nTitle lookup over ${human(n)} synthetic titles (index built in ${(buildMs / 1000).toFixed(1)} s), 200 queries per kind, limit 25:`);
  // Wall time includes waiting for a core on a busy machine; CPU time is the lookup's own work.
  log(`  ${pad('query kind', 12)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('max ms', 8)} ${pad('CPU p50', 8)} ${pad('CPU p95', 8)} found`);
  for (let pass = 0; pass < 2; pass++) {
    for (const [kind, queries] of Object.entries(kinds)) {
      const times: number[] = [];
      const cpu: number[] = [];
      let found = 0;
      for (const q of queries) {
        const c = process.cpuUsage();
        const s = performance.now();
        const r = index.search(q, 25);
        times.push(performance.now() - s);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
        if (r.length) found++;
      }
      // The first pass warms the JIT; only the second is reported.
      if (pass === 1) {
        const cells = [percentile(times, 50), percentile(times, 95), Math.max(...times), percentile(cpu, 50), percentile(cpu, 95)].map((v) => pad(ms(v), 8));
        log(`  ${pad(kind, 12)} ${cells.join(' ')} ${found}/${queries.length}`);
      }
    }
  }
  log(
    `  load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (on ${availableParallelism()} cores)`,
  );
}

function benchClustering(n: number, log: (l: string) => void): void {
  const topics = 15;
  const x = syntheticVectors(n, { clusters: topics, noise: 1.6, seed: 23 });
  const t0 = performance.now();
  const result = clusterVectors(x);
  const seconds = (performance.now() - t0) / 1000;
  const nmi = normalizedMutualInformation(Array.from(result.assignments, String), Array.from(x.labels, String));
  log(`  ${pad(human(n), 8)} ${pad(seconds.toFixed(1), 10)} ${pad(String(result.k), 9)} ${nmi.toFixed(3)}`);
}

/** Runs the scale benchmark and prints its tables through `log`. */
export async function runScaleBench(options: ScaleBenchOptions): Promise<void> {
  const o = {
    sizes: [10_000, 100_000, 1_000_000],
    clusterSizes: [10_000, 100_000],
    lookupTitles: 100_000,
    queries: 200,
    // The graph settings that reach recall@10 0.95 at 1M vectors (README, Scaling).
    m: 24,
    efConstruction: 128,
    efSearch: [16, 32, 64, 128, 192, 256, 288, 320, 352, 384, 512, 1024],
    maxBuildMinutes: 20,
    dimensions: DIM,
    graphDir: '',
    reduce: 0,
    shards: 1,
    data: 'embedding-like' as const,
    ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<ScaleBenchOptions>),
    log: options.log,
  };
  const { log } = o;
  const shapeNote =
    o.data === 'blobs'
      ? 'isotropic gaussian blobs, ~500 per blob: a worst case'
      : `shaped like USE-lite vectors: mean norm ${USE_LITE_SHAPE.meanNorm}, power-law spectrum k^-${USE_LITE_SHAPE.exponent}, topics > papers > chunks`;
  log(`Scale bench: ${o.dimensions}-d synthetic unit vectors (${shapeNote}), ${o.queries} held-out queries (100 at 1M), k=10`);
  if (o.sizes.length) {
    const sample = o.data === 'blobs' ? syntheticVectors(1037, { dim: o.dimensions, clusters: 2, seed: 3 }) : embeddingLikeVectors(1037, { dim: o.dimensions, seed: 3 });
    log(`TwoNN intrinsic dimension of 1,037 such vectors: ${twoNnDimension(sample, 1037).toFixed(1)} (the seed index's 1,037 USE-lite chunk vectors: 7.0)`);
  }
  log(
    o.reduce > 0
      ? `HNSW (hnswlib-node, L2) over the top ${o.reduce} principal components, M=${o.m}, efConstruction=${o.efConstruction}; each query's efSearch candidates re-ranked by the exact ${o.dimensions}-d inner product; exact = Float32Array dot-product scan`
      : `HNSW (hnswlib-node, inner product): M=${o.m}, efConstruction=${o.efConstruction}${o.shards > 1 ? `, ${o.shards} shards (one worker thread each, built together, searched in parallel, top 10 merged)` : ''}; exact = Float32Array dot-product scan`,
  );
  if (o.sizes.length) log(`hnswlib-node addon: ${hnswlib().detail}`);
  const results: SizeResult[] = [];
  for (const n of o.sizes) results.push(await benchSize(n, o, log));

  log(
    `\n  ${pad('size', 6)} ${pad('HNSW build', 22)} ${pad('memory', 10)} ${pad('efSearch', 9)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('recall@10', 10)} exact p50 / p95 ms`,
  );
  for (const r of results) {
    const build = r.extrapolated ? `~${(r.buildSeconds / 60).toFixed(0)} min (extrapolated)` : `${r.buildSeconds.toFixed(0)} s`;
    const mem = r.extrapolated ? `${mib((r.rssBytes / r.built) * r.n)}*` : mib(r.rssBytes);
    r.rows.forEach((row, i) => {
      const head = i === 0 ? [pad(human(r.n), 6), pad(build, 22), pad(mem, 10)] : [pad('', 6), pad('', 22), pad('', 10)];
      const exact = i === 0 ? `${ms(r.exactP50)} / ${ms(r.exactP95)} (${r.exactQueries} q)` : '';
      log(`  ${head.join(' ')} ${pad(String(row.ef), 9)} ${pad(ms(row.p50), 8)} ${pad(ms(row.p95), 8)} ${pad(row.recall.toFixed(3), 10)} ${exact}`);
    });
    if (r.extrapolated) log(`  ${pad('', 6)} * graph built on the first ${human(r.built)} vectors only; queries, recall and memory above are for that prefix`);
    const ok = r.rows.find((row) => row.recall >= 0.95);
    log(`  ${pad('', 6)} -> smallest efSearch with recall@10 >= 0.95: ${ok ? `${ok.ef} (p50 ${ms(ok.p50)} ms, p95 ${ms(ok.p95)} ms)` : 'none tried'}`);
  }
  log(`  memory = growth of the process RSS while building the graph (vectors held as float32 inside hnswlib, plus links)`);
  if (results.length)
    log(
      `  load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (on ${availableParallelism()} cores)`,
    );

  if (o.clusterSizes.length) {
    log(`\nTopic clustering (k chosen by silhouette over 6..20 on a 1,000-paper sample, then spherical k-means on all), 15 true blobs:`);
    log(`  ${pad('papers', 8)} ${pad('seconds', 10)} ${pad('k chosen', 9)} NMI vs blobs`);
    for (const n of o.clusterSizes) benchClustering(n, log);
  }
  if (o.lookupTitles > 0) benchLookup(o.lookupTitles, log);
}

/** Parses "--sizes 10000,100000" style lists. */
export function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim().replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000')));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new InvalidArgumentError(`--sizes wants whole numbers >= 100, e.g. 10000,100000 (got "${text}")`);
  return sizes;
}

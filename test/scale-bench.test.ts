import { describe, expect, it } from 'vitest';
import { embeddingLikeVectors, exactTopK, pcaReducer, rerank, syntheticVectors, twoNnDimension, USE_LITE_SHAPE } from '../src/measure/scale-bench.js';

describe('synthetic data for the scale bench', () => {
  it('makes unit vectors with the measured USE-lite shape: shared mean, few intrinsic dimensions', () => {
    const x = embeddingLikeVectors(1037, { seed: 3 });
    expect(x.data).toHaveLength(1037 * 512);
    const mean = new Float64Array(512);
    for (let i = 0; i < x.n; i++) {
      let len = 0;
      for (let d = 0; d < 512; d++) {
        len += x.data[i * 512 + d] ** 2;
        mean[d] += x.data[i * 512 + d] / x.n;
      }
      expect(len).toBeCloseTo(1, 4);
    }
    const meanNorm = Math.hypot(...mean);
    // Unit scaling shrinks the mean a little from 0.79; far from the ~0 of isotropic data.
    expect(meanNorm).toBeGreaterThan(0.6);
    expect(meanNorm).toBeLessThan(USE_LITE_SHAPE.meanNorm + 0.05);
    const blobs = syntheticVectors(1037, { clusters: 2, seed: 3 });
    const like = twoNnDimension(x, 1037);
    const hard = twoNnDimension(blobs, 1037);
    expect(like).toBeGreaterThan(5);
    expect(like).toBeLessThan(30);
    expect(hard).toBeGreaterThan(3 * like);
  });

  it('puts chunks of one paper nearest each other', () => {
    const x = embeddingLikeVectors(2000, { dim: 128, seed: 5 });
    let samePaper = 0;
    for (let i = 0; i < 100; i++) {
      const [self, nearest] = exactTopK(x, x.data.subarray(i * 128, (i + 1) * 128), 2);
      expect(self).toBe(i);
      if (x.labels[nearest] === x.labels[i]) samePaper++;
    }
    expect(samePaper).toBeGreaterThan(60);
  });
});

describe('runScaleBench --graph-dir', () => {
  it('keeps the built graph and its ground truth, and a second run loads them and measures the same recall', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runScaleBench } = await import('../src/measure/scale-bench.js');
    const dir = mkdtempSync(join(tmpdir(), 'litbot-graphs-'));
    try {
      const run = async (m = 24) => {
        const lines: string[] = [];
        await runScaleBench({ sizes: [2000], clusterSizes: [], lookupTitles: 0, queries: 20, m, efSearch: [8, 64], graphDir: dir, log: (l) => lines.push(l) });
        return lines;
      };
      // Table rows: efSearch, p50, p95, recall@10.
      const recalls = (lines: string[]) => lines.flatMap((l) => l.match(/\s(?:8|64)\s+\S+\s+\S+\s+(\d\.\d{3})/)?.[1] ?? []);
      const truthRead = (lines: string[]) => lines.some((l) => l.includes('exact top-10 for 20 queries read from'));
      const first = await run();
      expect(first.some((l) => l.includes('graph kept in'))).toBe(true);
      expect(truthRead(first)).toBe(false);
      expect(readdirSync(dir).sort()).toEqual([
        'hnsw-embedding-like-2000-d512-M24-efc128.bin',
        'hnsw-embedding-like-2000-d512-M24-efc128.json',
        'truth-embedding-like-2000-d512-q20.json',
      ]);
      const second = await run();
      expect(second.some((l) => l.includes('loaded the graph built earlier'))).toBe(true);
      expect(second.some((l) => l.includes('graph kept in'))).toBe(false);
      expect(truthRead(second)).toBe(true);
      const r1 = recalls(first);
      expect(r1).toHaveLength(2);
      expect(recalls(second)).toEqual(r1);
      // Another graph of the same vectors is built, but reuses the kept exact ground truth.
      const other = await run(8);
      expect(other.some((l) => l.includes('graph kept in'))).toBe(true);
      expect(truthRead(other)).toBe(true);
      expect(readdirSync(dir)).toHaveLength(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('--reduce: PCA graph with exact re-ranking', () => {
  it('keeps much of the variance in few dimensions, and re-ranking restores the exact order', () => {
    const x = embeddingLikeVectors(3000, { seed: 8 });
    const pca = pcaReducer(x, 32);
    expect(pca.keptVariance).toBeGreaterThan(0.5);
    expect(pca.keptVariance).toBeLessThan(1);
    const query = x.data.subarray(0, 512);
    expect(pca.apply(query)).toHaveLength(32);
    // Candidates in shuffled order: re-ranking on the full vectors gives the exact top 10.
    const exact = Array.from(exactTopK(x, query, 10));
    const candidates = [...exact, 2999, 1500, 42].reverse();
    expect(rerank(x, query, candidates, 10)).toEqual(exact);
    // Nearest neighbours in the reduced space mostly agree with the exact ones.
    const reduced = new Float32Array(3000 * 32);
    for (let i = 0; i < 3000; i++) reduced.set(pca.apply(x.data.subarray(i * 512, (i + 1) * 512)), i * 32);
    const q = pca.apply(query);
    const byL2 = [...Array(3000).keys()]
      .map((i) => ({ i, d: reduced.subarray(i * 32, (i + 1) * 32).reduce((s, v, j) => s + (v - q[j]) ** 2, 0) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 50)
      .map((c) => c.i);
    expect(exact.filter((id) => byL2.includes(id)).length).toBeGreaterThanOrEqual(8);
  });
});

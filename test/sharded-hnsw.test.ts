import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddingLikeVectors, exactTopK } from '../src/measure/scale-bench.js';
import { buildSharded } from '../src/measure/sharded-hnsw.js';

function sharedCopy(data: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(data.length * 4));
  out.set(data);
  return out;
}

describe('sharded HNSW (one worker thread per shard)', () => {
  it('merges the shards into the exact top 10, with ids from every shard, and reloads kept shards', async () => {
    const x = embeddingLikeVectors(2000, { dim: 64, seed: 4 });
    const data = sharedCopy(x.data);
    const dir = mkdtempSync(join(tmpdir(), 'litbot-shards-'));
    const files = [join(dir, 'a.bin'), join(dir, 'b.bin')];
    try {
      const index = await buildSharded({ data, n: 2000, dim: 64, shards: 2, m: 16, efConstruction: 100, files });
      expect(index.loaded).toBe(false);
      const seen = new Set<number>();
      let hits = 0;
      for (let q = 0; q < 20; q++) {
        const query = x.data.subarray(q * 64, (q + 1) * 64);
        const got = await index.search(query, 10, 200);
        const want = Array.from(exactTopK(x, query, 10));
        expect(got).toHaveLength(10);
        hits += got.filter((id) => want.includes(id)).length;
        for (const id of got) seen.add(id % 2);
      }
      // At efSearch 200 over 1,000 vectors a shard is all but exact.
      expect(hits).toBeGreaterThanOrEqual(195);
      expect([...seen].sort()).toEqual([0, 1]);
      await index.close();
      expect(readdirSync(dir).sort()).toEqual(['a.bin', 'b.bin']);

      const again = await buildSharded({ data, n: 2000, dim: 64, shards: 2, m: 16, efConstruction: 100, files });
      expect(again.loaded).toBe(true);
      const query = x.data.subarray(0, 64);
      expect(await again.search(query, 10, 200)).toEqual(Array.from(exactTopK(x, query, 10)));
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses vectors that are not in shared memory', async () => {
    await expect(buildSharded({ data: new Float32Array(64), n: 1, dim: 64, shards: 2, m: 16, efConstruction: 100 })).rejects.toThrow(/SharedArrayBuffer/);
  });
});

/**
 * An HNSW index split into shards, one per worker thread: vector i goes to shard i mod S, the
 * shards are built at the same time, and a query searches every shard at once and merges their
 * top k by distance. This is how the index would use several cores: hnswlib-node builds and
 * searches one graph on one thread. The vectors are shared with the workers, not copied.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { hnswlib } from '../indexing/hnswlib-build.js';

export interface ShardedOptions {
  /** The vectors, n × dim, in shared memory so the workers read them without a copy. */
  data: Float32Array;
  n: number;
  dim: number;
  shards: number;
  m: number;
  efConstruction: number;
  /** Per shard, a file to load the graph from, or to save it to once built. */
  files?: string[];
  /** Build progress, e.g. "shard 1/2: built 100k". */
  log?: (line: string) => void;
}

export interface ShardedIndex {
  /** Wall-clock seconds until every shard was built (or loaded). */
  buildSeconds: number;
  /** Whether the shards were loaded from `files` rather than built. */
  loaded: boolean;
  /** The k nearest ids (global row numbers) by inner product, best first. */
  search(query: Float32Array, k: number, ef: number): Promise<number[]>;
  close(): Promise<void>;
}

// Plain CommonJS, run with `eval`: the worker needs no TypeScript loader.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync } = require('node:fs');
const hnswlib = require(workerData.hnswlib);
const { buffer, n, dim, shard, shards, m, efConstruction, file } = workerData;
const data = new Float32Array(buffer, 0, n * dim);
const index = new hnswlib.HierarchicalNSW('ip', dim);
const size = Math.ceil((n - shard) / shards);
const start = Date.now();
let loaded = false;
if (file && existsSync(file)) {
  index.readIndexSync(file);
  loaded = true;
} else {
  index.initIndex(size, m, efConstruction, 100 + shard);
  let added = 0;
  for (let i = shard; i < n; i += shards) {
    index.addPoint(Array.from(data.subarray(i * dim, (i + 1) * dim)), i);
    added++;
    if (added % Math.max(1, Math.floor(size / 10)) === 0) parentPort.postMessage({ type: 'progress', added, size, seconds: (Date.now() - start) / 1000 });
  }
  if (file) index.writeIndexSync(file);
}
parentPort.postMessage({ type: 'built', seconds: (Date.now() - start) / 1000, loaded });
parentPort.on('message', ({ id, query, k, ef }) => {
  index.setEf(ef);
  const r = index.searchKnn(Array.from(query), Math.min(k, size));
  parentPort.postMessage({ type: 'result', id, neighbors: r.neighbors, distances: r.distances });
});
`;

/** Builds (or loads) the shards in parallel; resolves once every shard can be searched. */
export async function buildSharded(o: ShardedOptions): Promise<ShardedIndex> {
  if (!(o.data.buffer instanceof SharedArrayBuffer)) throw new Error('buildSharded: the vectors must be in a SharedArrayBuffer');
  // The same addon as the main thread: the build for this CPU when there is a usable one.
  const hnswlibPath = hnswlib().path;
  const start = performance.now();
  const pending = new Map<number, (r: { neighbors: number[]; distances: number[] }) => void>();
  let loadedAll = true;
  const workers = await Promise.all(
    Array.from({ length: o.shards }, (_, shard) => {
      const file = o.files?.[shard];
      const worker = new Worker(WORKER, {
        eval: true,
        workerData: { hnswlib: hnswlibPath, buffer: o.data.buffer, n: o.n, dim: o.dim, shard, shards: o.shards, m: o.m, efConstruction: o.efConstruction, file },
      });
      return new Promise<Worker>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (msg: { type: string; id: number; neighbors: number[]; distances: number[]; added: number; size: number; seconds: number; loaded: boolean }) => {
          if (msg.type === 'progress') o.log?.(`shard ${shard + 1}/${o.shards}: built ${msg.added} of ${msg.size} (${msg.seconds.toFixed(0)} s)`);
          else if (msg.type === 'built') {
            if (!msg.loaded) loadedAll = false;
            o.log?.(
              `shard ${shard + 1}/${o.shards}: ${msg.loaded ? `loaded from ${file}` : `built${file && existsSync(file) ? `, kept in ${file}` : ''}`} (${msg.seconds.toFixed(0)} s)`,
            );
            resolve(worker);
          } else if (msg.type === 'result') {
            pending.get(msg.id)?.(msg);
            pending.delete(msg.id);
          }
        });
      });
    }),
  );
  const buildSeconds = (performance.now() - start) / 1000;
  let nextId = 0;
  const ask = (worker: Worker, query: Float32Array, k: number, ef: number) =>
    new Promise<{ neighbors: number[]; distances: number[] }>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      // slice(): a view would carry its whole underlying buffer into the message.
      worker.postMessage({ id, query: query.slice(), k, ef });
    });
  return {
    buildSeconds,
    loaded: loadedAll,
    async search(query, k, ef) {
      const parts = await Promise.all(workers.map((w) => ask(w, query, k, ef)));
      // hnswlib's inner-product distance is 1 - dot: smaller is nearer.
      return parts
        .flatMap((p) => p.neighbors.map((id, i) => ({ id, d: p.distances[i] })))
        .sort((a, b) => a.d - b.d)
        .slice(0, k)
        .map((c) => c.id);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

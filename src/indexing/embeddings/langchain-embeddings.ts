/**
 * Litbot's embedders as LangChain `Embeddings`, so the vector stores, the retriever and any user's
 * own LangChain code take the model `EMBEDDINGS` names through LangChain's interface. Each
 * embedder keeps its own batching, tokenizer and unit-length vectors; this adds LangChain's
 * concurrency and retry handling (`AsyncCaller`) around it.
 */
import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import type { Embedder } from './embedder.js';

export class EmbedderEmbeddings extends Embeddings {
  constructor(
    readonly embedder: Embedder,
    params: EmbeddingsParams = {},
  ) {
    // A failed local model will fail again: LangChain's default of 6 retries would only delay the message.
    super({ maxRetries: 0, ...params });
  }

  /** Unit-length vectors, one per text, in order. */
  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors = await this.caller.call(() => this.embedder.embedDocuments(texts));
    return vectors.map((v) => Array.from(v));
  }

  async embedQuery(text: string): Promise<number[]> {
    return Array.from(await this.caller.call(() => this.embedder.embedQuery(text)));
  }

  /** The query vector as the stores search with it, without the copy to a JS array. */
  embedQueryVector(text: string): Promise<Float32Array> {
    return this.caller.call(() => this.embedder.embedQuery(text));
  }
}

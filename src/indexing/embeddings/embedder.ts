/** The one embeddings interface every provider implements. */

export interface Embedder {
  /** The configured spec, e.g. `use-lite` or `transformers:Xenova/all-MiniLM-L6-v2`; recorded in the manifest. */
  readonly id: string;
  /** Vector length; known after `init()`. */
  readonly dimensions: number;
  /** The most tokens the model reads; the chunker sizes chunks to fit. */
  readonly maxTokens: number;
  /** Loads weights or checks the server; call once before the rest. */
  init(): Promise<void>;
  /** Token count as the model's own tokenizer sees it (an estimate for remote APIs). */
  countTokens(text: string): number;
  /** Unit-length vectors, one per text, in order. */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
  /** Frees native resources, if any. */
  dispose?(): Promise<void>;
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalize(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** Rough token estimate for tokenizers we cannot run locally: about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

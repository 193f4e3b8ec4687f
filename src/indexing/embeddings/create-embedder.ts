/** Picks the embeddings provider named by `EMBEDDINGS`. */
import type { Env } from '../../config/env.js';
import type { Embedder } from './embedder.js';
import { UseLiteEmbedder } from './use-lite.js';

export type EmbedderSettings = Pick<Env, 'EMBEDDINGS' | 'EMBEDDINGS_BASE_URL' | 'EMBEDDINGS_API_KEY' | 'OPENAI_API_KEY' | 'HF_CACHE_DIR' | 'HF_OFFLINE' | 'CACHE_DIR'>;

export function createEmbedder(settings: EmbedderSettings): Embedder {
  const spec = settings.EMBEDDINGS;
  if (spec === 'use-lite') return new UseLiteEmbedder();
  throw new Error(`EMBEDDINGS=${spec} is not supported yet`);
}

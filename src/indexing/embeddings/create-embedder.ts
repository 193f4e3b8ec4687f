/**
 * Picks the embeddings provider named by `EMBEDDINGS`. Only `use-lite` and the chosen provider's
 * own module are loaded: every heavy dependency is imported inside `init()`.
 */
import { join } from 'node:path';
import type { Env } from '../../config/env.js';
import { ConfigError } from '../../errors.js';
import type { Embedder } from './embedder.js';
import { RemoteEmbedder } from './remote.js';
import { TransformersEmbedder } from './transformers.js';
import { UseLiteEmbedder } from './use-lite.js';

export type EmbedderSettings = Pick<Env, 'EMBEDDINGS' | 'EMBEDDINGS_BASE_URL' | 'EMBEDDINGS_API_KEY' | 'OPENAI_API_KEY' | 'HF_CACHE_DIR' | 'HF_OFFLINE' | 'CACHE_DIR'>;

/** Extra knobs that are not environment variables (tests and benchmarks use them). */
export interface EmbedderOverrides {
  /** Texts per forward pass or request. */
  batchSize?: number;
  /** The HTTP layer for remote providers. */
  fetch?: typeof fetch;
}

/** The Hugging Face cache folder: `HF_CACHE_DIR`, else `<CACHE_DIR>/huggingface`. */
export function huggingFaceCacheDir(settings: Pick<Env, 'HF_CACHE_DIR' | 'CACHE_DIR'>): string {
  return settings.HF_CACHE_DIR ?? join(settings.CACHE_DIR, 'huggingface');
}

/**
 * Builds the embedder `EMBEDDINGS` names; call `init()` on it before use (that is where models
 * load, servers are probed and a missing API key is reported).
 */
export function createEmbedder(settings: EmbedderSettings, overrides: EmbedderOverrides = {}): Embedder {
  const spec = settings.EMBEDDINGS;
  if (spec === 'use-lite') return new UseLiteEmbedder({ cacheDir: settings.CACHE_DIR });
  const colon = spec.indexOf(':');
  const provider = colon > 0 ? spec.slice(0, colon) : spec;
  const model = colon > 0 ? spec.slice(colon + 1).trim() : '';
  if (!model) throw new ConfigError(`EMBEDDINGS=${spec} names no model: write ${provider}:<model>.`);
  switch (provider) {
    case 'transformers':
      return new TransformersEmbedder({
        model,
        cacheDir: huggingFaceCacheDir(settings),
        offline: settings.HF_OFFLINE,
        batchSize: overrides.batchSize,
      });
    case 'openai':
      return new RemoteEmbedder({
        provider,
        model,
        baseUrl: settings.EMBEDDINGS_BASE_URL,
        apiKey: settings.EMBEDDINGS_API_KEY ?? settings.OPENAI_API_KEY,
        batchSize: overrides.batchSize,
        fetch: overrides.fetch,
      });
    case 'ollama':
      return new RemoteEmbedder({ provider, model, baseUrl: settings.EMBEDDINGS_BASE_URL, batchSize: overrides.batchSize, fetch: overrides.fetch });
    default:
      throw new ConfigError(`EMBEDDINGS=${spec} is not a known provider: use use-lite, transformers:<model-id or folder>, openai:<model> or ollama:<model>.`);
  }
}

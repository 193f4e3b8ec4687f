/**
 * Real models and servers, outside `npm test` (run with `npm run test:int`): a sentence-embedding
 * model from the Hugging Face Hub (downloaded once into HF_CACHE_DIR), and, when EMBEDDINGS names
 * openai:/ollama:, that provider at EMBEDDINGS_BASE_URL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { createEmbedder } from '../src/indexing/embeddings/create-embedder.js';
import type { Embedder } from '../src/indexing/embeddings/embedder.js';

const config = loadConfig();
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

async function checkRetrieval(embedder: Embedder) {
  await embedder.init();
  expect(embedder.dimensions).toBeGreaterThan(0);
  const [onTopic, offTopic] = await embedder.embedDocuments([
    'We learn molecular properties with message passing over atoms and bonds.',
    'A survey of speech recognition with recurrent networks.',
  ]);
  const query = await embedder.embedQuery('graph neural networks for chemistry');
  for (const v of [onTopic, offTopic, query]) expect(Math.hypot(...v)).toBeCloseTo(1, 4);
  expect(dot(query, onTopic)).toBeGreaterThan(dot(query, offTopic));
}

describe('transformers embeddings from the Hugging Face Hub', () => {
  const embedder = createEmbedder({ ...config, EMBEDDINGS: 'transformers:Xenova/all-MiniLM-L6-v2' });
  afterAll(() => embedder.dispose?.());

  it('ranks an on-topic passage above an off-topic one with all-MiniLM-L6-v2', async () => {
    await checkRetrieval(embedder);
    expect(embedder.dimensions).toBe(384);
    expect(embedder.maxTokens).toBeLessThanOrEqual(512);
    expect(embedder.countTokens('graph neural networks')).toBeGreaterThan(3);
  });
});

describe.skipIf(!/^(openai|ollama):/.test(config.EMBEDDINGS))(`remote embeddings (${config.EMBEDDINGS})`, () => {
  it('ranks an on-topic passage above an off-topic one', async () => {
    await checkRetrieval(createEmbedder(config));
  });
});

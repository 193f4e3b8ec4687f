import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { BackendError, MissingApiKeyError } from '../src/errors.js';
import { createEmbedder } from '../src/indexing/embeddings/create-embedder.js';
import { estimateTokens } from '../src/indexing/embeddings/embedder.js';
import { REMOTE_MAX_TOKENS, RemoteEmbedder } from '../src/indexing/embeddings/remote.js';
import { type FakeEmbeddingServer, fakeVector, startFakeOllamaServer, startFakeOpenAIServer } from './helpers/fake-embedding-servers.js';

const texts = ['Graph neural networks for molecules.', 'Attention is all you need.', 'A survey of retrieval.', 'Sparse mixtures of experts.', 'Diffusion models beat GANs.'];

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

function expectVector(actual: Float32Array, expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, 6));
}

const norm = (v: Float32Array) => Math.hypot(...v);

let server: FakeEmbeddingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('openai embeddings', () => {
  it('sends the model and the texts in batches to /v1/embeddings and returns unit vectors in order', async () => {
    server = await startFakeOpenAIServer({ dimensions: 6, models: ['text-embedding-3-small'] });
    const config = loadConfig({ EMBEDDINGS: 'openai:text-embedding-3-small', EMBEDDINGS_BASE_URL: `${server.url}/v1`, EMBEDDINGS_API_KEY: 'sk-test-123' });
    const embedder = createEmbedder(config, { batchSize: 2 });
    await embedder.init();
    expect(embedder.id).toBe('openai:text-embedding-3-small');
    expect(embedder.dimensions).toBe(6);

    const vectors = await embedder.embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      expectVector(vectors[i], unit(fakeVector(text, 6)));
      expect(norm(vectors[i])).toBeCloseTo(1, 6);
    });

    // The first request is init()'s probe; then batches of two, in order.
    const bodies = server.requests.slice(1).map((r) => r.body);
    expect(bodies.map((b) => b.input)).toEqual([texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
    for (const b of bodies) {
      expect(b.model).toBe('text-embedding-3-small');
      expect(b.encoding_format).toBe('float');
    }
    expect(server.requests.every((r) => r.path === '/v1/embeddings' && r.headers.authorization === 'Bearer sk-test-123')).toBe(true);
  });

  it('embeds a query as a single input and normalises it', async () => {
    server = await startFakeOpenAIServer({ dimensions: 4 });
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'openai:m', EMBEDDINGS_BASE_URL: `${server.url}/v1` }));
    await embedder.init();
    const query = 'which papers use\ngraph attention?';
    const vector = await embedder.embedQuery(query);
    // LangChain's OpenAI client replaces newlines before sending.
    expect(server.requests.at(-1)!.body.input).toEqual(['which papers use graph attention?']);
    expectVector(vector, unit(fakeVector('which papers use graph attention?', 4)));
  });

  it('falls back to OPENAI_API_KEY when EMBEDDINGS_API_KEY is unset', async () => {
    server = await startFakeOpenAIServer();
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'openai:m', EMBEDDINGS_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-fallback-456' }));
    await embedder.init();
    expect(server.requests[0].headers.authorization).toBe('Bearer sk-fallback-456');
  });

  it('reports a missing key, naming both variables, when no base URL is set', async () => {
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'openai:text-embedding-3-small' }));
    const error = await embedder.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect((error as Error).message).toContain('EMBEDDINGS_API_KEY');
    expect((error as Error).message).toContain('OPENAI_API_KEY');
  });

  it('turns a server error into a BackendError naming the endpoint and the model', async () => {
    server = await startFakeOpenAIServer({ models: ['text-embedding-3-small'] });
    const embedder = new RemoteEmbedder({ provider: 'openai', model: 'no-such-model', baseUrl: `${server.url}/v1`, maxRetries: 0 });
    const error = await embedder.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toContain(`${server.url}/v1`);
    expect((error as Error).message).toContain('openai:no-such-model');
    expect((error as Error).message).toContain('does not exist');
  });

  it('estimates tokens and chunks to a 512-token window', () => {
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'openai:m', OPENAI_API_KEY: 'sk-x' }));
    expect(embedder.maxTokens).toBe(REMOTE_MAX_TOKENS);
    expect(embedder.countTokens('a'.repeat(41))).toBe(estimateTokens('a'.repeat(41)));
    expect(embedder.countTokens('a'.repeat(41))).toBe(11);
  });
});

describe('ollama embeddings', () => {
  it('sends the model and the texts in batches to /api/embed and returns unit vectors in order', async () => {
    server = await startFakeOllamaServer({ dimensions: 5, models: ['nomic-embed-text'] });
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'ollama:nomic-embed-text', EMBEDDINGS_BASE_URL: server.url }), { batchSize: 3 });
    await embedder.init();
    expect(embedder.dimensions).toBe(5);

    const vectors = await embedder.embedDocuments(texts);
    texts.forEach((text, i) => expectVector(vectors[i], unit(fakeVector(text, 5))));

    const bodies = server.requests.slice(1).map((r) => r.body);
    expect(bodies.map((b) => b.input)).toEqual([texts.slice(0, 3), texts.slice(3)]);
    for (const b of bodies) {
      expect(b.model).toBe('nomic-embed-text');
      expect(b.truncate).toBe(true);
    }
    expect(server.requests.every((r) => r.method === 'POST' && r.path === '/api/embed')).toBe(true);
  });

  it('embeds a query and normalises it', async () => {
    server = await startFakeOllamaServer({ dimensions: 3 });
    const embedder = createEmbedder(loadConfig({ EMBEDDINGS: 'ollama:all-minilm', EMBEDDINGS_BASE_URL: server.url }));
    await embedder.init();
    const vector = await embedder.embedQuery('graph attention');
    expect(server.requests.at(-1)!.body).toMatchObject({ model: 'all-minilm', input: ['graph attention'] });
    expectVector(vector, unit(fakeVector('graph attention', 3)));
    expect(norm(vector)).toBeCloseTo(1, 6);
  });

  it('needs no API key', () => {
    expect(() => createEmbedder(loadConfig({ EMBEDDINGS: 'ollama:all-minilm' }))).not.toThrow();
  });

  it('reports a model that was not pulled as a BackendError with the server message', async () => {
    server = await startFakeOllamaServer({ models: ['nomic-embed-text'] });
    const embedder = new RemoteEmbedder({ provider: 'ollama', model: 'mxbai-embed-large', baseUrl: server.url, maxRetries: 0 });
    await expect(embedder.init()).rejects.toThrow(/not found, try pulling it first/);
    await expect(embedder.init()).rejects.toBeInstanceOf(BackendError);
  });
});

import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { BackendError, ConfigError } from '../src/errors.js';
import { createEmbedder, huggingFaceCacheDir } from '../src/indexing/embeddings/create-embedder.js';
import { TransformersEmbedder, defaultPooling, defaultPrefixes, isModelPath } from '../src/indexing/embeddings/transformers.js';
import { TINY_HIDDEN, TINY_MAX_POSITIONS, expectedTinyClsEmbedding, expectedTinyMeanEmbedding, makeTinyBertModel } from './helpers/tiny-onnx-model.js';
import { startFakeHub } from './helpers/fake-hub-server.js';

function expectVector(actual: Float32Array, expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((x, i) => expect(actual[i]).toBeCloseTo(x, 5));
}

let modelDir: string;
let cacheDir: string;
let embedder: TransformersEmbedder;

beforeAll(async () => {
  modelDir = makeTinyBertModel();
  cacheDir = mkdtempSync(join(tmpdir(), 'litbot-hf-cache-'));
  embedder = new TransformersEmbedder({ model: modelDir, cacheDir, offline: true });
  await embedder.init();
});

afterAll(async () => {
  await embedder?.dispose();
  rmSync(dirname(modelDir), { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('transformers embeddings from a local model folder', () => {
  it('loads the folder without going online and learns the dimensions and window', () => {
    expect(embedder.id).toBe(`transformers:${modelDir}`);
    expect(embedder.dimensions).toBe(TINY_HIDDEN);
    // config.json's max_position_embeddings is below tokenizer_config.json's model_max_length (512).
    expect(embedder.maxTokens).toBe(TINY_MAX_POSITIONS);
    expect(embedder.pooling).toBe('mean');
  });

  it('counts tokens with the model tokenizer, including [CLS] and [SEP]', () => {
    expect(embedder.countTokens('the cat sat')).toBe(5);
    // Lower-cased, punctuation split off, "networks" as network + ##s, an unknown word as [UNK].
    expect(embedder.countTokens('The neural networks, sat on a mat.')).toBe(2 + 10);
    expect(embedder.countTokens('')).toBe(2);
  });

  it('embeds a text as the mean of its token vectors scaled to unit length', async () => {
    const [vector] = await embedder.embedDocuments(['the cat sat on the mat']);
    expectVector(vector, expectedTinyMeanEmbedding(['the', 'cat', 'sat', 'on', 'the', 'mat']));
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  });

  it('masks out padding when texts of different lengths share a batch', async () => {
    const texts = ['graph', 'attention is all you need', 'the cat sat on the mat .'];
    const vectors = await embedder.embedDocuments(texts);
    expectVector(vectors[0], expectedTinyMeanEmbedding(['graph']));
    expectVector(vectors[1], expectedTinyMeanEmbedding(['attention', 'is', 'all', 'you', 'need']));
    expectVector(vectors[2], expectedTinyMeanEmbedding(['the', 'cat', 'sat', 'on', 'the', 'mat', '.']));
  });

  it('returns vectors in input order across several batches', async () => {
    const small = new TransformersEmbedder({ model: modelDir, cacheDir, offline: true, batchSize: 2 });
    await small.init();
    const texts = ['the cat sat on the mat', 'graph', 'neural network', 'attention', 'you need all the attention'];
    const vectors = await small.embedDocuments(texts);
    texts.forEach((text, i) => expectVector(vectors[i], expectedTinyMeanEmbedding(text.split(' '))));
    expectVector(await small.embedQuery('neural network'), expectedTinyMeanEmbedding(['neural', 'network']));
    await small.dispose();
  });

  it('truncates a text to the model window', async () => {
    const words = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'cat' : 'mat'));
    expect(embedder.countTokens(words.join(' '))).toBe(42);
    const [vector] = await embedder.embedDocuments([words.join(' ')]);
    // [CLS] + 22 words + [SEP] = 24 positions: the closing [SEP] survives the cut.
    expectVector(vector, expectedTinyMeanEmbedding(words.slice(0, TINY_MAX_POSITIONS - 2)));
    const [short, long] = await embedder.embedDocuments(['the cat', words.join(' ')]);
    expectVector(short, expectedTinyMeanEmbedding(['the', 'cat']));
    expectVector(long, expectedTinyMeanEmbedding(words.slice(0, TINY_MAX_POSITIONS - 2)));
  });

  it('uses CLS pooling when the folder says so in 1_Pooling/config.json', async () => {
    const clsDir = makeTinyBertModel({ extraFiles: { '1_Pooling/config.json': { pooling_mode_cls_token: true, pooling_mode_mean_tokens: false } } });
    const cls = new TransformersEmbedder({ model: clsDir, cacheDir });
    await cls.init();
    expect(cls.pooling).toBe('cls');
    const [a, b] = await cls.embedDocuments(['the cat sat', 'graph neural network']);
    // This model has no attention, so the [CLS] position carries only the [CLS] row.
    expectVector(a, expectedTinyClsEmbedding());
    expectVector(b, expectedTinyClsEmbedding());
    await cls.dispose();
    rmSync(dirname(clsDir), { recursive: true, force: true });
  });

  it('puts the query and document prefixes before the text, and counts the document prefix', async () => {
    const prefixed = new TransformersEmbedder({ model: modelDir, cacheDir, prefixes: { query: 'you need ', document: 'attention , ' } });
    await prefixed.init();
    expect(prefixed.countTokens('the cat')).toBe(2 + 4);
    expectVector((await prefixed.embedDocuments(['the cat']))[0], expectedTinyMeanEmbedding(['attention', ',', 'the', 'cat']));
    expectVector(await prefixed.embedQuery('the cat'), expectedTinyMeanEmbedding(['you', 'need', 'the', 'cat']));
    await prefixed.dispose();
  });

  it('accepts a relative folder path in EMBEDDINGS', async () => {
    const rel = createEmbedder(loadConfig({ EMBEDDINGS: `transformers:./${relative(process.cwd(), modelDir)}`, HF_CACHE_DIR: cacheDir }));
    expect(rel).toBeInstanceOf(TransformersEmbedder);
    await rel.init();
    expect(rel.dimensions).toBe(TINY_HIDDEN);
    await rel.dispose?.();
  });
});

describe('transformers embeddings from the Hugging Face cache', () => {
  it('loads a cached Hub model offline from <HF_CACHE_DIR>/<org>/<name>', async () => {
    const hfCache = mkdtempSync(join(tmpdir(), 'litbot-hf-cache-'));
    cpSync(modelDir, join(hfCache, 'litbot-test', 'tiny-bert'), { recursive: true });
    const cached = createEmbedder(loadConfig({ EMBEDDINGS: 'transformers:litbot-test/tiny-bert', HF_CACHE_DIR: hfCache, HF_OFFLINE: 'true' }));
    await cached.init();
    expect(cached.dimensions).toBe(TINY_HIDDEN);
    expectVector(await cached.embedQuery('the cat'), expectedTinyMeanEmbedding(['the', 'cat']));
    await cached.dispose?.();
    rmSync(hfCache, { recursive: true, force: true });
  });

  it('downloads an uncached Hub model into HF_CACHE_DIR on first use, then loads it offline from there', async () => {
    const hub = await startFakeHub({ 'litbot-test/tiny-bert': modelDir });
    const hfCache = mkdtempSync(join(tmpdir(), 'litbot-hf-cache-'));
    try {
      const online = new TransformersEmbedder({ model: 'litbot-test/tiny-bert', cacheDir: hfCache, hubUrl: hub.url });
      await online.init();
      expect(hub.requests).toContain('/litbot-test/tiny-bert/resolve/main/onnx/model.onnx');
      expect(existsSync(join(hfCache, 'litbot-test', 'tiny-bert', 'onnx', 'model.onnx'))).toBe(true);
      expectVector(await online.embedQuery('graph attention'), expectedTinyMeanEmbedding(['graph', 'attention']));
      await online.dispose();

      const downloads = hub.requests.length;
      const offline = new TransformersEmbedder({ model: 'litbot-test/tiny-bert', cacheDir: hfCache, hubUrl: hub.url, offline: true });
      await offline.init();
      expect(hub.requests).toHaveLength(downloads);
      expectVector(await offline.embedQuery('graph attention'), expectedTinyMeanEmbedding(['graph', 'attention']));
      await offline.dispose();
    } finally {
      await hub.close();
      rmSync(hfCache, { recursive: true, force: true });
    }
  });

  it('reports a model the Hub does not have, naming the model, the cache folder and the variable', async () => {
    const hub = await startFakeHub({});
    try {
      const error = await new TransformersEmbedder({ model: 'litbot-test/no-such-model', cacheDir, hubUrl: hub.url }).init().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackendError);
      const message = (error as Error).message;
      expect(message).toContain('litbot-test/no-such-model');
      expect(message).toContain(cacheDir);
      expect(message).toContain('HF_CACHE_DIR');
    } finally {
      await hub.close();
    }
  });

  it('refuses to download an uncached model with HF_OFFLINE, naming the model, the cache folder and the variables', async () => {
    const config = loadConfig({ EMBEDDINGS: 'transformers:Xenova/all-MiniLM-L6-v2', HF_CACHE_DIR: cacheDir, HF_OFFLINE: 'true' });
    const error = await createEmbedder(config)
      .init()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('Xenova/all-MiniLM-L6-v2');
    expect(message).toContain(cacheDir);
    expect(message).toContain('HF_OFFLINE');
    expect(message).toContain('HF_CACHE_DIR');
  });

  it('defaults the cache folder to <CACHE_DIR>/huggingface', () => {
    expect(huggingFaceCacheDir(loadConfig({ CACHE_DIR: '/var/litbot' }))).toBe(join('/var/litbot', 'huggingface'));
    expect(huggingFaceCacheDir(loadConfig({ CACHE_DIR: '/var/litbot', HF_CACHE_DIR: '/models/hf' }))).toBe('/models/hf');
  });
});

describe('transformers embeddings errors and rules', () => {
  it('reports a missing model folder with its path and the variable', async () => {
    const missing = join(tmpdir(), 'litbot-no-such-model-folder');
    const error = await createEmbedder(loadConfig({ EMBEDDINGS: `transformers:${missing}` }))
      .init()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('EMBEDDINGS');
  });

  it('reports a folder without model files, naming the folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'litbot-empty-model-'));
    const error = await new TransformersEmbedder({ model: empty, cacheDir }).init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(empty);
    expect((error as Error).message).toContain('config.json');
    rmSync(empty, { recursive: true, force: true });
  });

  it('tells folder paths from Hub model ids', () => {
    expect(isModelPath('./models/x')).toBe(true);
    expect(isModelPath('../x')).toBe(true);
    expect(isModelPath('/opt/models/x')).toBe(true);
    expect(isModelPath('Xenova/all-MiniLM-L6-v2')).toBe(false);
  });

  it('prefixes E5 and nomic-embed texts as those models were trained, and leaves others alone', () => {
    expect(defaultPrefixes('Xenova/e5-small-v2')).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(defaultPrefixes('Xenova/multilingual-e5-small')).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(defaultPrefixes('nomic-ai/nomic-embed-text-v1.5')).toEqual({ query: 'search_query: ', document: 'search_document: ' });
    expect(defaultPrefixes('Xenova/all-MiniLM-L6-v2')).toEqual({ query: '', document: '' });
    expect(defaultPrefixes('Xenova/bge-small-en-v1.5')).toEqual({ query: '', document: '' });
  });

  it('pools BGE models by [CLS] and others by the mean', () => {
    expect(defaultPooling('Xenova/bge-small-en-v1.5')).toBe('cls');
    expect(defaultPooling('BAAI/bge-base-en')).toBe('cls');
    expect(defaultPooling('Xenova/all-MiniLM-L6-v2')).toBe('mean');
    expect(defaultPooling('Xenova/e5-small-v2')).toBe('mean');
  });
});

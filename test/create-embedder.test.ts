import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { ConfigError } from '../src/errors.js';
import { createEmbedder } from '../src/indexing/embeddings/create-embedder.js';
import { RemoteEmbedder } from '../src/indexing/embeddings/remote.js';
import { TransformersEmbedder } from '../src/indexing/embeddings/transformers.js';
import { UseLiteEmbedder } from '../src/indexing/embeddings/use-lite.js';
import { runProcess } from './helpers/run-process.js';

const make = (EMBEDDINGS: string, extra: Record<string, string> = {}) => createEmbedder(loadConfig({ EMBEDDINGS, ...extra }));

/**
 * In a fresh Node process whose module resolver reports every heavy package it is asked for,
 * creates one embedder per spec, prints a marker, then runs `init()` on the first spec. Returns
 * the heavy packages resolved before and after the marker.
 */
async function heavyModulesLoaded(specs: string[]): Promise<{ beforeInit: string[]; afterInit: string[] }> {
  const factory = pathToFileURL(new URL('../src/indexing/embeddings/create-embedder.ts', import.meta.url).pathname).href;
  const hook = `export async function resolve(s, c, n) { if (/^(@huggingface|@langchain|@energetic-ai|onnxruntime)/.test(s)) console.log('HEAVY ' + s); return n(s, c); }`;
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    const { createEmbedder } = await import(${JSON.stringify(factory)});
    const embedders = ${JSON.stringify(specs)}.map((EMBEDDINGS) => createEmbedder({ EMBEDDINGS, CACHE_DIR: '/nonexistent', HF_OFFLINE: true, OPENAI_API_KEY: 'sk-x' }));
    console.log('INIT');
    await embedders[0].init().catch(() => {});
  `;
  const lines = (await runProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])).stdout.split('\n');
  const marker = lines.indexOf('INIT');
  const heavy = (ls: string[]) => ls.filter((l) => l.startsWith('HEAVY ')).map((l) => l.slice(6));
  return { beforeInit: heavy(lines.slice(0, marker)), afterInit: heavy(lines.slice(marker)) };
}

describe('createEmbedder', () => {
  it('picks the provider EMBEDDINGS names', () => {
    expect(make('use-lite')).toBeInstanceOf(UseLiteEmbedder);
    expect(make('transformers:Xenova/all-MiniLM-L6-v2')).toBeInstanceOf(TransformersEmbedder);
    expect(make('openai:text-embedding-3-small', { OPENAI_API_KEY: 'sk-x' })).toBeInstanceOf(RemoteEmbedder);
    expect(make('ollama:nomic-embed-text')).toBeInstanceOf(RemoteEmbedder);
  });

  it('records the whole spec as the embedder id, for the manifest', () => {
    expect(make('transformers:Xenova/bge-small-en-v1.5').id).toBe('transformers:Xenova/bge-small-en-v1.5');
    expect(make('ollama:nomic-embed-text').id).toBe('ollama:nomic-embed-text');
    expect(make('use-lite').id).toBe('use-lite');
  });

  it('rejects a provider with no model', () => {
    expect(() => createEmbedder({ ...loadConfig({}), EMBEDDINGS: 'ollama:' })).toThrow(ConfigError);
    expect(() => createEmbedder({ ...loadConfig({}), EMBEDDINGS: 'cohere:embed-v3' })).toThrow(/not a known provider/);
  });

  it('loads no provider package until init()', async () => {
    const { beforeInit, afterInit } = await heavyModulesLoaded(['transformers:Xenova/all-MiniLM-L6-v2', 'openai:text-embedding-3-small', 'ollama:all-minilm', 'use-lite']);
    expect(beforeInit).toEqual([]);
    // The probe can see a load: init() does import the provider's package.
    expect(afterInit).toContain('@huggingface/transformers');
  });
});

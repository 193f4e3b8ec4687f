import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load-corpus.js';
import { chunkPapers } from '../src/indexing/chunker.js';
import { convertUseLiteGraph } from '../src/indexing/embeddings/use-lite-onnx.js';
import { UseLiteEmbedder } from '../src/indexing/embeddings/use-lite.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('USE-lite on onnxruntime, converted from the TF.js graph', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'litbot-use-'));
  const onnx = new UseLiteEmbedder({ cacheDir });
  const tfjs = new UseLiteEmbedder({ engine: 'tfjs' });
  beforeAll(async () => {
    await Promise.all([onnx.init(), tfjs.init()]);
  });
  afterAll(async () => {
    await Promise.all([onnx.dispose(), tfjs.dispose()]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runs on onnxruntime and caches the converted model', () => {
    expect(onnx.engine).toBe('onnx');
    expect(tfjs.engine).toBe('tfjs');
    const files = readdirSync(join(cacheDir, 'use-lite'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^use-lite-.+\.onnx$/);
    expect(statSync(join(cacheDir, 'use-lite', files[0])).size).toBeGreaterThan(10_000_000);
  });

  it('gives the same vectors as TF.js on real seed chunks, short queries and a text past the window', async () => {
    const { papers } = loadCorpus('seeds');
    const chunks = chunkPapers(papers.slice(0, 12), { maxTokens: 128, overlapSentences: 1, countTokens: (t) => onnx.countTokens(t) });
    const long = papers
      .slice(0, 3)
      .map((p) => p.abstract)
      .join(' ');
    const texts = [...chunks.slice(0, 40).map((c) => c.embedText), 'how do I keep an LLM from forgetting old tasks?', 'LoRA', long];
    const [a, b] = await Promise.all([onnx.embedDocuments(texts), tfjs.embedDocuments(texts)]);
    expect(a).toHaveLength(texts.length);
    let worst = 0;
    a.forEach((v, i) => {
      expect(v).toHaveLength(512);
      for (let d = 0; d < 512; d++) worst = Math.max(worst, Math.abs(v[d] - b[i][d]));
      expect(dot(v, v)).toBeCloseTo(1, 4);
    });
    expect(worst).toBeLessThan(1e-5);
    // Different texts really do give different vectors (the comparison above is not vacuous).
    expect(dot(a[0], a[texts.length - 3])).toBeLessThan(0.9);
    // A query embeds as it does inside a batch, whatever the batch's padding.
    const q = await onnx.embedQuery(texts[texts.length - 3]);
    for (let d = 0; d < 512; d++) expect(Math.abs(q[d] - a[texts.length - 3][d])).toBeLessThan(1e-5);
  });

  it('reuses the cached model on the next start', async () => {
    const again = new UseLiteEmbedder({ cacheDir });
    await again.init();
    expect(again.engine).toBe('onnx');
    expect(readdirSync(join(cacheDir, 'use-lite'))).toHaveLength(1);
    await again.dispose();
  });

  it('converts again when the cached model is corrupt', async () => {
    const name = readdirSync(join(cacheDir, 'use-lite'))[0];
    const file = join(cacheDir, 'use-lite', name);
    writeFileSync(file, 'not a model');
    const warnings: string[] = [];
    const healed = new UseLiteEmbedder({ cacheDir, warn: (m) => warnings.push(m) });
    await healed.init();
    expect(healed.engine).toBe('onnx');
    expect(warnings).toEqual([]);
    expect(statSync(file).size).toBeGreaterThan(10_000_000);
    await healed.dispose();
  });

  it('falls back to TF.js with a warning when onnxruntime cannot run the model', async () => {
    const warnings: string[] = [];
    // An invalid thread count makes onnxruntime refuse the session, as an unsupported platform would.
    const embedder = new UseLiteEmbedder({ cacheDir, threads: -1, warn: (m) => warnings.push(m) });
    await embedder.init();
    expect(embedder.engine).toBe('tfjs');
    expect(warnings.join('\n')).toMatch(/onnxruntime could not run the model .*intraOpNumThreads.*TF\.js/);
    expect(await embedder.embedQuery('graph neural networks')).toHaveLength(512);
    await embedder.dispose();
  });

  it('names an op it cannot convert', () => {
    expect(() =>
      convertUseLiteGraph({
        nodes: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 1 } } },
          { name: 'y', op: 'Erf', input: ['x'] },
        ],
        consts: new Map(),
        output: 'y',
      }),
    ).toThrow(/unsupported op Erf \(y\)/);
  });
});

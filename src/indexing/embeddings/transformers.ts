/**
 * Sentence embeddings from any ONNX feature-extraction model that `@huggingface/transformers` can
 * run (`Xenova/all-MiniLM-L6-v2`, `Xenova/bge-small-en-v1.5`, ...): downloaded from the Hugging
 * Face Hub on first use into a cache folder, or read from a local model folder. Runs on the CPU
 * through onnxruntime-node.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers';
import { BackendError, ConfigError, errorMessage } from '../../errors.js';
import type { Embedder } from './embedder.js';

/** How token vectors become one sentence vector. */
export type Pooling = 'mean' | 'cls';

export interface TransformersEmbedderOptions {
  /** A Hub model id (`Xenova/all-MiniLM-L6-v2`) or a folder path (`./models/x`, `/abs/path`). */
  model: string;
  /** Where Hub models are cached (`HF_CACHE_DIR`). */
  cacheDir: string;
  /** Forbid downloads (`HF_OFFLINE`): only the cache (or a local folder) is read. */
  offline?: boolean;
  /** Overrides the pooling read from the model folder or guessed from the model family. */
  pooling?: Pooling;
  /** Overrides the instruction prefixes guessed from the model family ({@link defaultPrefixes}). */
  prefixes?: Prefixes;
  /** Texts per forward pass. */
  batchSize?: number;
  /**
   * Where to download from instead of https://huggingface.co/ (a mirror; tests use a local
   * server). transformers.js keeps this in its process-wide `env`, so it applies to every model.
   */
  hubUrl?: string;
  /** ONNX weights variant: `fp32` loads `onnx/model.onnx`, `q8` `onnx/model_quantized.onnx`. */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';
}

/**
 * The longest window we let any model read. Most sentence-embedding models were trained at 512
 * positions or fewer; longer windows cost quadratic attention time for abstracts that do not need it.
 */
export const MAX_WINDOW = 512;

/** Whether an `EMBEDDINGS=transformers:<spec>` names a folder rather than a Hub model id. */
export function isModelPath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || isAbsolute(spec);
}

/**
 * Pooling by model family when the model folder does not say (sentence-transformers exports
 * carry `1_Pooling/config.json`): BGE models were trained on the [CLS] vector, the MiniLM, MPNet,
 * E5 and GTE families on the mean of the token vectors.
 */
export function defaultPooling(model: string): Pooling {
  return /(^|[/_-])bge[-_]/i.test(model) ? 'cls' : 'mean';
}

/** Text some models were trained to see before a query or a passage. */
export interface Prefixes {
  query: string;
  document: string;
}

/**
 * Prefixes by model family: E5 models were trained on `query: ` / `passage: ` and nomic-embed on
 * `search_query: ` / `search_document: `; without them their retrieval quality drops. Others
 * (MiniLM, MPNet, GTE, BGE v1.5) take the text as it is.
 */
export function defaultPrefixes(model: string): Prefixes {
  if (/(^|[/_-])e5[-_]/i.test(model)) return { query: 'query: ', document: 'passage: ' };
  if (/nomic-embed/i.test(model)) return { query: 'search_query: ', document: 'search_document: ' };
  return { query: '', document: '' };
}

const DEFAULT_BATCH = 16;

export class TransformersEmbedder implements Embedder {
  readonly id: string;
  private _dimensions = 0;
  private _maxTokens = MAX_WINDOW;
  private _pooling?: Pooling;
  private extractor?: FeatureExtractionPipeline;
  private readonly folder?: string;
  /** The special token every encoding ends with ([SEP], </s>), if the tokenizer adds one. */
  private endToken?: bigint;
  private loading?: Promise<void>;
  private readonly prefixes: Prefixes;

  constructor(private readonly options: TransformersEmbedderOptions) {
    this.id = `transformers:${options.model}`;
    if (isModelPath(options.model)) this.folder = resolve(options.model);
    this.prefixes = options.prefixes ?? defaultPrefixes(options.model);
  }

  get dimensions(): number {
    return this._dimensions;
  }

  get maxTokens(): number {
    return this._maxTokens;
  }

  /** The pooling in use; known after `init()`. */
  get pooling(): Pooling | undefined {
    return this._pooling;
  }

  /** Loads once; concurrent callers share the load, and a failed load can be retried. */
  init(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      this.extractor = undefined;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const { model, cacheDir } = this.options;
    if (this.folder && !(existsSync(this.folder) && statSync(this.folder).isDirectory())) {
      throw new ConfigError(
        `Embeddings model folder ${this.folder} does not exist (EMBEDDINGS=${this.id}). ` +
          `Point EMBEDDINGS at a folder holding config.json, tokenizer.json and onnx/model.onnx, or at a Hugging Face model id.`,
      );
    }
    const { pipeline, env } = await import('@huggingface/transformers');
    if (this.options.hubUrl) env.remoteHost = this.options.hubUrl.endsWith('/') ? this.options.hubUrl : `${this.options.hubUrl}/`;
    try {
      this.extractor = (await pipeline('feature-extraction', this.folder ?? model, {
        cache_dir: cacheDir,
        // A folder is never a reason to go online; offline mode reads only the cache.
        local_files_only: Boolean(this.folder) || Boolean(this.options.offline),
        dtype: this.options.dtype ?? 'fp32',
        // onnxruntime warns about every unused initializer; errors still surface.
        session_options: { logSeverityLevel: 3 },
      })) as FeatureExtractionPipeline;
    } catch (error) {
      throw this.loadError(error);
    }
    const tokenizer = this.extractor.tokenizer;
    const config = this.extractor.model.config as unknown as Record<string, unknown>;
    const limits = [
      MAX_WINDOW,
      positive(tokenizer.model_max_length),
      positive(config.max_position_embeddings),
      positive(this.readLocalJson('sentence_bert_config.json')?.max_seq_length),
    ].filter((n): n is number => n !== undefined);
    this._maxTokens = Math.min(...limits);
    // The pipeline truncates to this; some tokenizers declare an effectively infinite length.
    tokenizer.model_max_length = this._maxTokens;
    const empty = tokenizer.encode('');
    const word = tokenizer.encode('the');
    if (empty.length && word.at(-1) === empty.at(-1)) this.endToken = BigInt(empty.at(-1)!);
    this._pooling = this.options.pooling ?? this.poolingFromFolder() ?? defaultPooling(model);
    const [probe] = await this.embedAll(['dimension probe']);
    this._dimensions = probe.length;
  }

  private get loaded(): FeatureExtractionPipeline {
    if (!this.extractor) throw new Error(`${this.id}: call init() first`);
    return this.extractor;
  }

  /**
   * Tokens of `text` as a document, including [CLS]/[SEP] and any document prefix, since those
   * take positions in the model's window too.
   */
  countTokens(text: string): number {
    return this.loaded.tokenizer.encode(this.prefixes.document + text).length;
  }

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    return this.embedAll(this.prefixes.document ? texts.map((t) => this.prefixes.document + t) : texts);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.embedAll([this.prefixes.query + text]);
    return vector;
  }

  private async embedAll(texts: string[]): Promise<Float32Array[]> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH;
    // Batches pad to their longest text, so grouping similar lengths saves most of the padding work.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const indices = order.slice(start, start + batchSize);
      const vectors = await this.embedBatch(indices.map((i) => texts[i]));
      indices.forEach((textIndex, row) => (out[textIndex] = vectors[row]));
    }
    return out;
  }

  /**
   * What the feature-extraction pipeline does, except that a truncated text keeps its closing
   * special token ([SEP]) as the Python tokenizers do; transformers.js cuts it off with the rest.
   */
  private async embedBatch(texts: string[]): Promise<Float32Array[]> {
    const { tokenizer, model } = this.loaded;
    const { mean_pooling } = await import('@huggingface/transformers');
    const inputs = tokenizer(texts, { padding: true, truncation: true }) as Record<string, Tensor>;
    this.restoreEndToken(inputs.input_ids, inputs.attention_mask);
    const outputs = (await model(inputs)) as Record<string, Tensor | undefined>;
    const hidden = outputs.last_hidden_state ?? outputs.token_embeddings ?? outputs.logits;
    if (!hidden) throw new BackendError(`${this.id}: the model gave no last_hidden_state; it is not a feature-extraction model.`);
    const pooled = this._pooling === 'cls' ? hidden.slice(null, 0) : mean_pooling(hidden, inputs.attention_mask);
    const normalized = pooled.normalize(2, -1);
    const width = normalized.dims[1];
    const data = normalized.data as Float32Array;
    return texts.map((_, row) => Float32Array.from(data.subarray(row * width, (row + 1) * width)));
  }

  private restoreEndToken(ids: Tensor, mask: Tensor): void {
    const end = this.endToken;
    const [rows, length] = ids.dims;
    if (end === undefined || length < this._maxTokens) return;
    const idData = ids.data as BigInt64Array;
    const maskData = mask.data as BigInt64Array;
    for (let r = 0; r < rows; r++) {
      const last = r * length + length - 1;
      // A full row that does not end in the end token was cut short.
      if (maskData[last] === 1n && idData[last] !== end) idData[last] = end;
    }
  }

  async dispose(): Promise<void> {
    await this.extractor?.dispose();
    this.extractor = undefined;
    this.loading = undefined;
  }

  /** The model's files on disk: the folder itself, or its mirror in the cache. */
  private get localFolder(): string {
    return this.folder ?? join(this.options.cacheDir, this.options.model);
  }

  /** Optional sentence-transformers metadata; only read from disk, so it never costs a download. */
  private readLocalJson(file: string): Record<string, unknown> | undefined {
    try {
      return JSON.parse(readFileSync(join(this.localFolder, file), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  private poolingFromFolder(): Pooling | undefined {
    const pooling = this.readLocalJson('1_Pooling/config.json');
    if (pooling?.pooling_mode_cls_token === true) return 'cls';
    if (pooling?.pooling_mode_mean_tokens === true) return 'mean';
    return undefined;
  }

  private loadError(error: unknown): Error {
    const { model, offline } = this.options;
    const cacheDir = resolve(this.options.cacheDir);
    // fetch() hides the reason (DNS, refused, TLS) in `cause`.
    const inner = error instanceof Error && error.cause ? `: ${errorMessage(error.cause)}` : '';
    const cause = `${errorMessage(error)}${inner}`.replace(/\.+$/, '');
    if (this.folder) {
      return new ConfigError(
        `Could not load the embeddings model in ${this.folder} (EMBEDDINGS=${this.id}): ${cause}. ` +
          `The folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx.`,
      );
    }
    if (offline) {
      return new ConfigError(
        `Embeddings model ${model} is not in the cache folder ${cacheDir} (HF_CACHE_DIR), and HF_OFFLINE=true forbids ` +
          `downloading it. Run once with HF_OFFLINE unset to download it, or set EMBEDDINGS=transformers:<folder> ` +
          `to use a local copy. (${cause})`,
      );
    }
    return new BackendError(
      `Could not load embeddings model ${model} (EMBEDDINGS=${this.id}) into the cache folder ${cacheDir} ` +
        `(HF_CACHE_DIR): ${cause}. Check the model id and that ${this.options.hubUrl ?? 'https://huggingface.co'} is reachable, ` +
        `or use a local folder with EMBEDDINGS=transformers:<folder>.`,
    );
  }
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Embeddings from an HTTP service through LangChain's clients: the OpenAI API (or any server that
 * speaks it: vLLM, llama.cpp, LM Studio, Ollama's `/v1`) and Ollama's native `/api/embed`.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import { BackendError, MissingApiKeyError, errorMessage } from '../../errors.js';
import type { Embedder } from './embedder.js';
import { estimateTokens, normalize } from './embedder.js';

export type RemoteProvider = 'openai' | 'ollama';

export interface RemoteEmbedderOptions {
  provider: RemoteProvider;
  model: string;
  /** `EMBEDDINGS_BASE_URL`: for OpenAI including `/v1`; for Ollama the server root. */
  baseUrl?: string;
  /** OpenAI only: `EMBEDDINGS_API_KEY`, else `OPENAI_API_KEY`. Not needed with a base URL. */
  apiKey?: string;
  /** Texts per request. */
  batchSize?: number;
  /** Window the chunker sizes chunks to; see {@link REMOTE_MAX_TOKENS}. */
  maxTokens?: number;
  /** Retries per request after the first failure (LangChain's backoff). */
  maxRetries?: number;
  /** Per-request timeout in milliseconds (OpenAI client only). */
  timeoutMs?: number;
  /** The HTTP layer; tests and proxies can swap it. */
  fetch?: typeof fetch;
}

/**
 * The window we chunk to for remote models. OpenAI's models read 8191 tokens and Ollama's
 * embedding models 512 (mxbai-embed-large) to 8192 (nomic-embed-text), but abstracts are short,
 * small chunks retrieve more precisely, and our token count is only an estimate (4 characters a
 * token), so 512 leaves margin under every common model's limit.
 */
export const REMOTE_MAX_TOKENS = 512;

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

/**
 * Texts per request. OpenAI allows 2048 inputs and 300k tokens a request (128 × 512 is well
 * under); Ollama embeds a batch in one pass on local hardware, so smaller requests keep each one
 * short and the progress bar moving.
 */
const DEFAULT_BATCH: Record<RemoteProvider, number> = { openai: 128, ollama: 32 };

export class RemoteEmbedder implements Embedder {
  readonly id: string;
  readonly maxTokens: number;
  private _dimensions = 0;
  private client?: Embeddings;
  private loading?: Promise<void>;

  constructor(private readonly options: RemoteEmbedderOptions) {
    this.id = `${options.provider}:${options.model}`;
    this.maxTokens = options.maxTokens ?? REMOTE_MAX_TOKENS;
  }

  get dimensions(): number {
    return this._dimensions;
  }

  /** Where requests go, for messages. */
  get endpoint(): string {
    const { provider, baseUrl } = this.options;
    return baseUrl ?? (provider === 'ollama' ? DEFAULT_OLLAMA_URL : 'https://api.openai.com/v1');
  }

  private get batchSize(): number {
    return this.options.batchSize ?? DEFAULT_BATCH[this.options.provider];
  }

  /**
   * Builds the client and embeds a probe text, which checks the server and learns the dimensions.
   * Concurrent callers share one probe; a failed one can be retried.
   */
  init(): Promise<void> {
    this.loading ??= this.connect().catch((error: unknown) => {
      this.loading = undefined;
      this.client = undefined;
      throw error;
    });
    return this.loading;
  }

  private async connect(): Promise<void> {
    this.client = await this.createClient();
    const [probe] = await this.embedBatch(['dimension probe']);
    this._dimensions = probe.length;
  }

  private async createClient(): Promise<Embeddings> {
    const { provider, model, baseUrl, maxRetries = 2 } = this.options;
    if (provider === 'openai') {
      // Local OpenAI-compatible servers accept any key; api.openai.com does not.
      if (!this.options.apiKey && !baseUrl) throw new MissingApiKeyError(`EMBEDDINGS=${this.id}`, ['EMBEDDINGS_API_KEY', 'OPENAI_API_KEY']);
      const { OpenAIEmbeddings } = await import('@langchain/openai');
      return new OpenAIEmbeddings({
        model,
        apiKey: this.options.apiKey ?? 'not-needed',
        batchSize: this.batchSize,
        maxRetries,
        timeout: this.options.timeoutMs,
        // Plain floats: several OpenAI-compatible servers do not implement base64 output.
        encodingFormat: 'float',
        configuration: { baseURL: baseUrl, fetch: this.options.fetch },
      });
    }
    const { OllamaEmbeddings } = await import('@langchain/ollama');
    return new OllamaEmbeddings({
      model,
      baseUrl: this.endpoint,
      maxRetries,
      // A chunk our estimate let through but the model's context cannot hold is cut, not fatal.
      truncate: true,
      fetch: this.options.fetch,
    });
  }

  private get loaded(): Embeddings {
    if (!this.client) throw new Error(`${this.id}: call init() first`);
    return this.client;
  }

  /** An estimate: the remote tokenizer cannot run here. */
  countTokens(text: string): number {
    return estimateTokens(text);
  }

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) out.push(...(await this.embedBatch(texts.slice(i, i + this.batchSize))));
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.embedBatch([text]);
    return vector;
  }

  private async embedBatch(texts: string[]): Promise<Float32Array[]> {
    let vectors: number[][];
    try {
      vectors = await this.loaded.embedDocuments(texts);
    } catch (error) {
      throw new BackendError(`Embeddings request to ${this.endpoint} failed (EMBEDDINGS=${this.id}): ${errorMessage(error)}`);
    }
    if (vectors.length !== texts.length) {
      throw new BackendError(`${this.endpoint} returned ${vectors.length} embeddings for ${texts.length} texts (EMBEDDINGS=${this.id}).`);
    }
    return vectors.map((v) => {
      if (this._dimensions && v.length !== this._dimensions) {
        throw new BackendError(`${this.endpoint} returned a ${v.length}-dimensional vector, expected ${this._dimensions} (EMBEDDINGS=${this.id}).`);
      }
      return normalize(v);
    });
  }
}

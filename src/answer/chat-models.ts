/**
 * LLM backends through LangChain, and the one call path every backend goes through: a deadline
 * per attempt, bounded retries with backoff on 429 and 5xx, streaming to a callback, usage, and
 * the finish reason (a stream that ends without one was cut, not finished). Every failed attempt
 * is logged with its backend, model, status and latency; what the server said goes to the log
 * only, scrubbed, never into the error's message. The clients' own retries are off so that this
 * is the only retry policy.
 */
import { createRequire } from 'node:module';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessageLike } from '@langchain/core/messages';
import type { Logger } from 'pino';
import { resolveLlmApiKey, type Env } from '../config/env.js';
import { BackendError, ConfigError, errorMessage } from '../errors.js';

export type LlmSettings = Pick<
  Env,
  | 'LLM_PROVIDER'
  | 'LLM_MODEL'
  | 'LLM_BASE_URL'
  | 'LLM_API_KEY'
  | 'OPENAI_API_KEY'
  | 'ANTHROPIC_API_KEY'
  | 'LLM_TEMPERATURE'
  | 'LLM_MAX_TOKENS'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_MAX_RETRIES'
>;

/** The model each provider uses when `LLM_MODEL` is not set. */
export const DEFAULT_MODELS = {
  openai: 'gpt-4o-mini',
  ollama: 'llama3.1',
  anthropic: 'claude-3-5-haiku-latest',
  groq: 'llama-3.1-8b-instant',
  mistralai: 'mistral-small-latest',
} as const satisfies Record<LlmProvider, string>;

/** A provider that needs a model (every `LLM_PROVIDER` but `extractive`). */
export type LlmProvider = Exclude<Env['LLM_PROVIDER'], 'extractive'>;

/** The model name in effect for these settings (undefined for the extractive backend). */
export function modelName(settings: Pick<Env, 'LLM_PROVIDER' | 'LLM_MODEL'>): string | undefined {
  if (settings.LLM_PROVIDER === 'extractive') return undefined;
  return settings.LLM_MODEL ?? DEFAULT_MODELS[settings.LLM_PROVIDER];
}

/**
 * The constructor options of each provider's LangChain chat model, where their names differ: the
 * API key, the token limit (`maxTokens`, Ollama's `numPredict`), the base URL (four spellings)
 * and the client's own timeout (where it has one; the deadline in `generate` applies to all).
 * Model, temperature and `maxRetries: 0` (`generate` is the one retry policy) are common to all.
 */
const PROVIDER_OPTIONS: Record<LlmProvider, (settings: LlmSettings, apiKey: string | undefined) => Record<string, unknown>> = {
  openai: (s, apiKey) => ({ apiKey, maxTokens: s.LLM_MAX_TOKENS, timeout: s.LLM_TIMEOUT_MS, streamUsage: true, configuration: { baseURL: s.LLM_BASE_URL } }),
  anthropic: (s, apiKey) => ({ apiKey, maxTokens: s.LLM_MAX_TOKENS, anthropicApiUrl: s.LLM_BASE_URL, clientOptions: { timeout: s.LLM_TIMEOUT_MS } }),
  ollama: (s, apiKey) => ({
    baseUrl: s.LLM_BASE_URL ?? 'http://127.0.0.1:11434',
    numPredict: s.LLM_MAX_TOKENS,
    ...(apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}),
  }),
  groq: (s, apiKey) => ({ apiKey, maxTokens: s.LLM_MAX_TOKENS, timeout: s.LLM_TIMEOUT_MS, baseUrl: s.LLM_BASE_URL }),
  mistralai: (s, apiKey) => ({ apiKey, maxTokens: s.LLM_MAX_TOKENS, serverURL: s.LLM_BASE_URL }),
};

/** The LangChain package each provider's client is in (`initChatModel` imports it); only the first three come with Litbot. */
export const PROVIDER_PACKAGES: Record<LlmProvider, string> = {
  openai: '@langchain/openai',
  anthropic: '@langchain/anthropic',
  ollama: '@langchain/ollama',
  groq: '@langchain/groq',
  mistralai: '@langchain/mistralai',
};

/**
 * Throws the `ConfigError` naming the package to install when the configured provider's package
 * is not installed: a process that will answer with an LLM stops at its start, not at every
 * question. Resolves the package's name only; nothing is loaded.
 */
export function checkProviderPackage(provider: LlmSettings['LLM_PROVIDER']): void {
  if (provider === 'extractive') return;
  const pkg = PROVIDER_PACKAGES[provider];
  try {
    createRequire(import.meta.url).resolve(pkg);
  } catch (error) {
    throw new ConfigError(`LLM_PROVIDER=${provider} needs the package ${pkg}, which is not installed: run \`npm install ${pkg}\` in the Litbot folder.`, { cause: error });
  }
}

/**
 * The LangChain chat model for `LLM_PROVIDER`, or undefined for `extractive`, made by
 * `langchain`'s `initChatModel`, which imports the provider's package (`@langchain/openai`,
 * `@langchain/groq`, ...) when it is called. Throws `MissingApiKeyError` naming the variables when
 * the provider needs a key and none is set, before anything loads, and `ConfigError` naming the
 * package to install when the provider's package is not installed (only `openai`, `anthropic` and
 * `ollama` come with Litbot). `langchain` and the provider's client are imported here, not at the
 * top: together they take about a second to load, which the offline backend (and every command
 * but `ask`) never pays.
 */
export async function createChatModel(settings: LlmSettings): Promise<BaseChatModel | undefined> {
  const provider = settings.LLM_PROVIDER;
  if (provider === 'extractive') return undefined;
  const apiKey = resolveLlmApiKey(settings as Env);
  checkProviderPackage(provider);
  const { initChatModel } = await import('langchain/chat_models/universal');
  const options = { temperature: settings.LLM_TEMPERATURE, maxRetries: 0, ...PROVIDER_OPTIONS[provider](settings, apiKey) };
  return initChatModel(modelName(settings), { modelProvider: provider, ...options });
}

export interface GenerateOptions {
  timeoutMs: number;
  maxRetries: number;
  /** First backoff delay; doubles each retry (default 500 ms). */
  retryBaseMs?: number;
  signal?: AbortSignal;
  /** Receives the text so far as tokens arrive. */
  onToken?: (textSoFar: string) => void;
  /** Stream (default) or make one plain call. */
  stream?: boolean;
  /** Gets one line per failed attempt (warn) and per completed call (debug). */
  log?: Logger;
  /** Named in every log line. */
  backend?: string;
  model?: string;
  /** Applied to upstream text before it is logged (secrets out). */
  scrub?: (text: string) => string;
}

export interface Generation {
  text: string;
  usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number };
  attempts: number;
  /** `complete`, or `cut-off` when the model stopped at its token limit (or a content filter). */
  finish: 'complete' | 'cut-off';
  /** The finish reason as the provider named it (`stop`, `end_turn`, `length`, `max_tokens`, ...). */
  finishReason?: string;
  latencyMs: number;
}

/** How an LLM call failed, for logs and for what the answerer does next. */
export type LlmFailureKind = 'http' | 'timeout' | 'network' | 'malformed' | 'truncated' | 'error';

/**
 * An LLM call that failed after its retries. The message is Litbot's own words (kind, status,
 * attempts); what the server said is in `detail`, scrubbed, for the log only.
 */
export class LlmError extends BackendError {
  constructor(
    readonly kind: LlmFailureKind,
    readonly status: number | undefined,
    readonly attempts: number,
    readonly latencyMs: number,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`The model failed: ${describeFailure(kind, status)} (${attempts} attempt${attempts === 1 ? '' : 's'})`, options);
  }
}

function describeFailure(kind: LlmFailureKind, status: number | undefined): string {
  switch (kind) {
    case 'http':
      return `HTTP ${status}`;
    case 'timeout':
      return 'no reply within LLM_TIMEOUT_MS';
    case 'network':
      return 'could not reach the server';
    case 'malformed':
      return 'a reply that could not be read';
    case 'truncated':
      return 'the reply stream ended before the model finished';
    default:
      return 'an unexpected error';
  }
}

/** A stream that ended without the provider's finish signal. */
class UnfinishedStreamError extends Error {
  override readonly name = 'UnfinishedStreamError';
}

/**
 * The finish reason in a stream's chunks, where each client puts it: OpenAI (and Groq) in
 * `response_metadata.finish_reason`, Anthropic in `additional_kwargs.stop_reason` (from
 * `message_delta`), Ollama in `response_metadata.done_reason` of its `done: true` chunk, Mistral
 * in `response_metadata.finishReason`.
 */
export function finishReasonOf(chunks: readonly AIMessageChunk[]): string | undefined {
  for (let i = chunks.length - 1; i >= 0; i--) {
    const meta = (chunks[i].response_metadata ?? {}) as Record<string, unknown>;
    const extra = (chunks[i].additional_kwargs ?? {}) as Record<string, unknown>;
    const reason = meta.finish_reason ?? meta.stop_reason ?? extra.stop_reason ?? meta.finishReason ?? (meta.done === true ? (meta.done_reason ?? 'stop') : undefined);
    if (typeof reason === 'string' && reason) return reason;
  }
  return undefined;
}

/** Reasons (lower-cased) that mean the text stops where the model was stopped, not where it meant to. */
const CUT_OFF = new Set(['length', 'max_tokens', 'content_filter', 'model_context_window_exceeded', 'model_length']);

/** The HTTP status an error from any of the clients carries, if any. */
export function errorStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; status_code?: unknown; response?: { status?: unknown }; cause?: unknown } | undefined;
  for (const v of [e?.status, e?.status_code, e?.response?.status]) if (typeof v === 'number') return v;
  if (e?.cause && e.cause !== error) return errorStatus(e.cause);
  const m = /\b(429|5\d\d)\b/.exec(errorMessage(error));
  return m ? Number(m[1]) : undefined;
}

/** 429, 5xx and dropped connections are worth another try; a deadline or a 4xx is not. */
function isRetryable(error: unknown): boolean {
  const status = errorStatus(error);
  if (status !== undefined) return status === 429 || status >= 500;
  return /ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|other side closed|terminated/i.test(errorMessage(error));
}

/** The wait a 429 or 503 asks for in its Retry-After header, in ms (capped: we would rather fall back than stall). */
export function retryAfterMs(error: unknown, capMs = 10_000): number | undefined {
  const e = error as { headers?: unknown; response?: { headers?: unknown }; cause?: unknown } | undefined;
  for (const headers of [e?.headers, e?.response?.headers]) {
    if (!headers) continue;
    const value = typeof (headers as Headers).get === 'function' ? (headers as Headers).get('retry-after') : (headers as Record<string, string | undefined>)['retry-after'];
    if (value === null || value === undefined) continue;
    const seconds = Number(value);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
    if (Number.isFinite(ms)) return Math.min(Math.max(0, ms), capMs);
  }
  if (e?.cause && e.cause !== error) return retryAfterMs(e.cause, capMs);
  return undefined;
}

/** Races `promise` with `signal`, so a client that ignores its signal still cannot hang us. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function usageOf(chunk: AIMessageChunk | undefined): Generation['usage'] {
  const u = chunk?.usage_metadata;
  if (!u) return undefined;
  return { inputTokens: u.input_tokens, outputTokens: u.output_tokens, totalTokens: u.total_tokens };
}

/**
 * Usage over a stream. Anthropic reports output tokens in message_start and again, as a running
 * total, in message_delta, so summing the chunks (as concatenation does) overcounts; the largest
 * figure seen is right for every provider.
 */
function streamUsage(chunks: AIMessageChunk[]): Generation['usage'] {
  let input = 0;
  let output = 0;
  let seen = false;
  for (const c of chunks) {
    const u = c.usage_metadata;
    if (!u) continue;
    seen = true;
    input = Math.max(input, u.input_tokens ?? 0);
    output = Math.max(output, u.output_tokens ?? 0);
  }
  return seen ? { inputTokens: input, outputTokens: output, totalTokens: input + output } : undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p?.type === 'text' ? String(p.text ?? '') : '')).join('');
  return '';
}

/** One attempt: streams (or invokes) under `signal`. */
async function attempt(
  model: BaseChatModel,
  messages: BaseMessageLike[],
  signal: AbortSignal,
  options: GenerateOptions,
): Promise<{ text: string; usage: Generation['usage']; finishReason?: string }> {
  if (options.stream === false) {
    const message = (await raceAbort(model.invoke(messages, { signal }), signal)) as AIMessageChunk;
    return { text: textOf(message.content), usage: usageOf(message), finishReason: finishReasonOf([message]) };
  }
  let text = '';
  const chunks: AIMessageChunk[] = [];
  const iterator = (await raceAbort(model.stream(messages, { signal }), signal))[Symbol.asyncIterator]();
  for (;;) {
    const next = await raceAbort(iterator.next(), signal);
    if (next.done) break;
    const chunk = next.value as AIMessageChunk;
    chunks.push(chunk);
    const piece = textOf(chunk.content);
    if (piece) {
      text += piece;
      options.onToken?.(text);
    }
  }
  const finishReason = finishReasonOf(chunks);
  // OpenAI and Anthropic clients end quietly when the connection closes early: only the missing finish tells.
  if (!finishReason) throw new UnfinishedStreamError(text ? 'the stream ended without a finish reason' : 'the stream ended with no text and no finish reason');
  return { text, usage: streamUsage(chunks), finishReason };
}

/** What went wrong in one failed attempt. */
function classify(error: unknown, timedOut: boolean, streamed: boolean): { kind: LlmFailureKind; status?: number } {
  if (timedOut) return { kind: 'timeout' };
  if (error instanceof UnfinishedStreamError) return { kind: streamed ? 'truncated' : 'malformed' };
  const status = errorStatus(error);
  if (status !== undefined) return { kind: 'http', status };
  if (streamed) return { kind: 'truncated' };
  const message = errorMessage(error);
  if (/ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|other side closed|terminated|connection error/i.test(message)) return { kind: 'network' };
  if (error instanceof SyntaxError || error instanceof TypeError || /json|parse|unexpected token|did not receive done/i.test(message)) return { kind: 'malformed' };
  return { kind: 'error' };
}

/** The first line of what the server or client said, scrubbed and bounded. */
function detailOf(error: unknown, scrub: (text: string) => string): string {
  const e = error as { error?: unknown } | undefined;
  let message = errorMessage(error);
  // Ollama's ResponseError stringifies its body as "[object Object]"; the body is on `.error`.
  if (/\[object Object\]/.test(message) && e?.error !== undefined) message = typeof e.error === 'string' ? e.error : JSON.stringify(e.error);
  return scrub(message.split('\n')[0]).slice(0, 300);
}

/**
 * Runs the model with a deadline of `timeoutMs` per attempt, retrying 429, 5xx and dropped
 * connections up to `maxRetries` times with exponential backoff (never once text has streamed).
 * A stream that ends without a finish reason is a failure (`truncated`). Throws `LlmError`
 * when it gives up.
 */
export async function generate(model: BaseChatModel, messages: BaseMessageLike[], options: GenerateOptions): Promise<Generation> {
  const base = options.retryBaseMs ?? 500;
  const scrub = options.scrub ?? ((text: string) => text);
  const where = { backend: options.backend, model: options.model };
  const started = performance.now();
  let lastError: unknown;
  let failure: { kind: LlmFailureKind; status?: number } = { kind: 'error' };
  let attempts = 0;
  for (let i = 0; i <= options.maxRetries; i++) {
    options.signal?.throwIfAborted();
    attempts = i + 1;
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const attemptStarted = performance.now();
    let streamedSomething = false;
    try {
      const result = await attempt(model, messages, signal, {
        ...options,
        onToken: (t) => {
          streamedSomething = true;
          options.onToken?.(t);
        },
      });
      const latencyMs = Math.round(performance.now() - started);
      const finish = result.finishReason && CUT_OFF.has(result.finishReason.toLowerCase()) ? 'cut-off' : 'complete';
      options.log?.debug({ ...where, attempts, latencyMs, finishReason: result.finishReason, outputTokens: result.usage?.outputTokens }, 'LLM call done');
      return { text: result.text, usage: result.usage, attempts, finish, finishReason: result.finishReason, latencyMs };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      lastError = error;
      failure = classify(error, deadline.aborted, streamedSomething);
      const retry = failure.kind !== 'timeout' && !streamedSomething && isRetryable(error) && i < options.maxRetries;
      const jitter = 0.8 + Math.random() * 0.4;
      const waitMs = retry ? Math.round(Math.max(base * 2 ** i * jitter, retryAfterMs(error) ?? 0)) : undefined;
      options.log?.warn(
        {
          ...where,
          attempt: attempts,
          kind: failure.kind,
          status: failure.status,
          latencyMs: Math.round(performance.now() - attemptStarted),
          detail: detailOf(error, scrub),
          ...(waitMs !== undefined ? { retryInMs: waitMs } : {}),
        },
        'LLM request failed',
      );
      if (waitMs === undefined) break;
      await sleep(waitMs, options.signal);
    }
  }
  throw new LlmError(failure.kind, failure.status, attempts, Math.round(performance.now() - started), detailOf(lastError, scrub), { cause: lastError });
}

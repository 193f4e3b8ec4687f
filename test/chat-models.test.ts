/**
 * The LLM call path against fake servers speaking each provider's real protocol (issue 11, items
 * 3 and 4): a stream that closes before the model finished is not served as an answer, one cut
 * at the token limit is marked as cut off, and every failure (500, 429, timeout, malformed reply,
 * truncated stream) leaves a log line with backend, model, status and latency, scrubbed.
 */
import { readFileSync } from 'node:fs';
import { AIMessageChunk } from '@langchain/core/messages';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUT_OFF_NOTE, MODEL_UNAVAILABLE_NOTE, createAnswerer } from '../src/answer/answerer.js';
import type { AnswerResult } from '../src/answer/types.js';
import { PROVIDER_PACKAGES, checkProviderPackage, createChatModel, finishReasonOf, generate } from '../src/answer/chat-models.js';
import { envSchema, loadConfig } from '../src/config/env.js';
import { ConfigError } from '../src/errors.js';
import { capturedLogger } from './helpers/captured-log.js';
import { startHarness, str } from './helpers/discord-harness.js';
import { startFakeAnthropic, startFakeOllama, startFakeOpenAI, type FakeLlmServer, type FakeReply, type RecordedRequest } from './helpers/fake-llm-servers.js';
import { fixedRetrieve, seedPaper, seedPapers } from './helpers/lexical-retrieve.js';
import { createTestLitbot } from './helpers/test-litbot.js';
import { createLitbot } from '../src/litbot.js';

const providers = { openai: startFakeOpenAI, anthropic: startFakeAnthropic, ollama: startFakeOllama } as const;
type Provider = keyof typeof providers;

const migu = seedPaper('Unlocking Continual Learning Abilities');
const loraDropout = seedPaper('LoRA Dropout');
const QUESTION = 'How can language models keep learning new tasks without catastrophic forgetting?';
const KEY = 'sk-litbot-chat-models-test-5566778899';
const PARTIAL = 'MIGU keeps old tasks by updating only large-magnitude outputs, which limits forgetting [1] and';

/** One question to `provider`'s fake server answering with `script`, logged at debug into `lines`. */
async function ask(provider: Provider, script: FakeReply | ((r: RecordedRequest, i: number) => FakeReply), extra: Record<string, string> = {}) {
  const server = await providers[provider](script);
  const env = loadConfig({ LLM_PROVIDER: provider, LLM_BASE_URL: server.url, LLM_API_KEY: KEY, LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '2000', LOG_LEVEL: 'debug', ...extra });
  const log = capturedLogger(env);
  try {
    const answerer = createAnswerer({ env, retrieve: fixedRetrieve([migu, loraDropout]), corpus: seedPapers(), retryBaseMs: 10, log: log.logger });
    const streamed: string[] = [];
    const result = await answerer.answer(QUESTION, { onToken: (t) => streamed.push(t) });
    return { result, lines: log.lines, raw: log.raw, server, streamed };
  } finally {
    await server.close();
  }
}

describe.each(Object.keys(providers) as Provider[])('the %s backend', (provider) => {
  it('gives the offline answer with the generic note when the stream closes before the model finished', async () => {
    const { result, lines, server, streamed } = await ask(provider, { text: PARTIAL, truncate: true });
    // The partial text did stream: only the missing finish tells it apart from a whole answer.
    expect(streamed.at(-1)).toContain('limits forgetting [1]');
    expect(server.requests).toHaveLength(1);
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(result.answer).not.toContain('limits forgetting [1] and');
    expect(result.answer).toContain(`*${migu.title.replace(/([*_`~|\\[\]])/g, '\\$1')}*`);
    expect(result.citations.length).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg === 'LLM request failed')).toMatchObject({
      level: 40,
      backend: provider,
      model: 'fake-model',
      kind: 'truncated',
      latencyMs: expect.any(Number),
    });
  });

  it('serves an answer cut at the token limit marked as cut off', async () => {
    const { result, lines } = await ask(provider, { text: PARTIAL, finish: 'length' });
    expect(result.answer).toBe(`${PARTIAL} …`);
    expect(result.note).toBe(CUT_OFF_NOTE);
    expect(result.citations.map((c) => c.paperId)).toEqual([migu.id]);
    expect(lines.find((l) => l.msg === 'LLM answer cut off')).toMatchObject({
      backend: provider,
      model: 'fake-model',
      finishReason: provider === 'anthropic' ? 'max_tokens' : 'length',
    });
  });

  it('serves a finished answer as it is, and logs the call at debug', async () => {
    const { result, lines } = await ask(provider, { text: `${PARTIAL} more.` });
    expect(result.note).toBeUndefined();
    expect(result.answer).toBe(`${PARTIAL} more.`);
    expect(lines.find((l) => l.msg === 'LLM call done')).toMatchObject({ level: 20, backend: provider, model: 'fake-model', attempts: 1, latencyMs: expect.any(Number) });
  });
});

describe('every LLM failure is logged, through the Litbot the bot runs', () => {
  /** The real Litbot (the seed index) answering through `script`, its log captured at debug. */
  async function litbotAsk(script: FakeReply | ((r: RecordedRequest, i: number) => FakeReply), extra: Record<string, string> = {}) {
    const server = await startFakeOpenAI(script);
    const vars = { LLM_PROVIDER: 'openai', LLM_BASE_URL: server.url, LLM_API_KEY: KEY, LLM_MODEL: 'gpt-test', LLM_MAX_RETRIES: '2', LOG_LEVEL: 'debug', ...extra };
    const log = capturedLogger(loadConfig(vars));
    try {
      const { litbot } = await createTestLitbot(vars, { logger: log.logger });
      const result = await litbot.ask('How do language models forget earlier tasks during continual learning?');
      return { result, failures: log.lines.filter((l) => l.msg === 'LLM request failed'), lines: log.lines, raw: log.raw, server };
    } finally {
      await server.close();
    }
  }

  it('a 500 on every attempt: one line per attempt with status and latency, the server text scrubbed', async () => {
    const { result, failures, lines, raw } = await litbotAsk({ status: 500, message: `upstream rejected key ${KEY} at /internal/router.go:88` });
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(failures).toHaveLength(3);
    for (const [n, l] of failures.entries()) {
      expect(l).toMatchObject({ backend: 'openai', model: 'gpt-test', status: 500, kind: 'http', attempt: n + 1, latencyMs: expect.any(Number) });
      expect(l.detail).toContain('upstream rejected key [redacted] at /internal/router.go:88');
    }
    expect(failures.map((l) => 'retryInMs' in l)).toEqual([true, true, false]);
    expect(lines.find((l) => l.msg === 'LLM unavailable; answering offline')).toMatchObject({ status: 500, attempts: 3, latencyMs: expect.any(Number) });
    expect(raw.join('\n')).not.toContain(KEY);
  });

  it("a 429 that then succeeds: the 429 is logged, the answer is the model's", async () => {
    const { result, failures } = await litbotAsk((_r, i) => (i === 0 ? { status: 429, retryAfter: 0 } : { text: 'Forgetting comes from overwritten weights [1].' }));
    expect(result.note).toBeUndefined();
    expect(failures).toEqual([expect.objectContaining({ status: 429, kind: 'http', backend: 'openai', model: 'gpt-test', attempt: 1, latencyMs: expect.any(Number) })]);
  });

  it('a server that never answers: a timeout', async () => {
    const { result, failures } = await litbotAsk({ hang: true }, { LLM_TIMEOUT_MS: '300' });
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(failures).toEqual([expect.objectContaining({ kind: 'timeout', backend: 'openai', model: 'gpt-test', latencyMs: expect.any(Number) })]);
    expect(failures[0].latencyMs).toBeGreaterThanOrEqual(250);
  }, 10_000);

  it('a reply that is not the protocol: malformed', async () => {
    const { result, failures } = await litbotAsk({ raw: 'data: {"choices": [{"delta": {"content": "hi"\n\n', contentType: 'text/event-stream' });
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(failures[0]).toMatchObject({ kind: 'malformed', backend: 'openai', model: 'gpt-test', latencyMs: expect.any(Number) });
  });

  it('a stream cut before the end: truncated', async () => {
    const { result, failures } = await litbotAsk({ text: PARTIAL, truncate: true });
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(failures).toEqual([expect.objectContaining({ kind: 'truncated', backend: 'openai', model: 'gpt-test', latencyMs: expect.any(Number) })]);
  });
});

describe('a truncated stream on Discord', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeOpenAI({ text: PARTIAL, truncate: true });
  });
  afterAll(() => server?.close());

  it('ends with the offline answer and the note, not the cut text', async () => {
    const { litbot } = await createTestLitbot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: server.url, LLM_API_KEY: KEY, LLM_MODEL: 'gpt-test' });
    const h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' }, { streamEditIntervalMs: 10 });
    try {
      const question = 'How do language models forget earlier tasks during continual learning?';
      const expected: AnswerResult = await litbot.ask(question);
      const i = h.fake.slash('ask', [str('question', question)]);
      const final = (await h.fake.editOf(i, (b) => b.components?.length > 0, 15_000)).body;
      const text: string = final.embeds[0].description.split('\n\n**Sources**')[0];
      expect(text).toBe(`*${MODEL_UNAVAILABLE_NOTE}*\n\n${expected.answer}`);
      expect(text).not.toContain('[1] and');
    } finally {
      await h.stop();
    }
  });
});

describe('the chat model, made by initChatModel', () => {
  it("passes the model, temperature, token limit and key to each provider's server in that provider's own terms", async () => {
    const extra = { LLM_TEMPERATURE: '0.7', LLM_MAX_TOKENS: '321' };
    const openai = (await ask('openai', { text: 'Fine [1].' }, extra)).server.requests[0];
    expect(openai.body).toMatchObject({ model: 'fake-model', temperature: 0.7, max_tokens: 321, stream: true });
    expect(openai.headers.authorization).toBe(`Bearer ${KEY}`);
    const anthropic = (await ask('anthropic', { text: 'Fine [1].' }, extra)).server.requests[0];
    expect(anthropic.body).toMatchObject({ model: 'fake-model', temperature: 0.7, max_tokens: 321, stream: true });
    expect(anthropic.headers['x-api-key']).toBe(KEY);
    const ollama = (await ask('ollama', { text: 'Fine [1].' }, extra)).server.requests[0];
    expect(ollama.body).toMatchObject({ model: 'fake-model', options: { temperature: 0.7, num_predict: 321 }, stream: true });
    expect(ollama.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('is created by langchain, which imports the provider package itself, and nothing loads for the offline backend', async () => {
    // A fresh Node process whose module resolver prints every langchain package asked for, and by whom.
    const hook = `export async function resolve(s, c, n) { if (/^(langchain|@langchain\\/(openai|anthropic|ollama))/.test(s)) console.log('LOAD ' + s + ' FROM ' + (c.parentURL ?? '')); return n(s, c); }`;
    const env = (provider: string) => ({ LLM_PROVIDER: provider, LLM_API_KEY: KEY, LLM_BASE_URL: 'http://127.0.0.1:9/v1' });
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { createAnswerer } = await import(${JSON.stringify(new URL('../src/answer/answerer.ts', import.meta.url).href)});
      const { loadConfig } = await import(${JSON.stringify(new URL('../src/config/env.ts', import.meta.url).href)});
      const { createChatModel } = await import(${JSON.stringify(new URL('../src/answer/chat-models.ts', import.meta.url).href)});
      createAnswerer({ env: loadConfig(${JSON.stringify(env('extractive'))}), retrieve: async () => [] });
      console.log('OPENAI');
      await createChatModel(loadConfig(${JSON.stringify(env('openai'))}));
    `;
    const { runProcess } = await import('./helpers/run-process.js');
    const lines = (await runProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])).stdout.split('\n');
    const marker = lines.indexOf('OPENAI');
    expect(marker).toBeGreaterThan(-1);
    expect(lines.slice(0, marker).filter((l) => l.startsWith('LOAD '))).toEqual([]);
    const loads = lines.slice(marker).filter((l) => l.startsWith('LOAD '));
    expect(loads.find((l) => l.startsWith('LOAD langchain/chat_models/universal FROM ') && l.includes('/src/answer/chat-models.ts'))).toBeDefined();
    // The provider's package is imported from inside langchain (initChatModel), not by Litbot's code.
    const openai = loads.filter((l) => l.startsWith('LOAD @langchain/openai '));
    expect(openai.length).toBeGreaterThan(0);
    for (const l of openai) expect(l).toMatch(/FROM \S*\/node_modules\/langchain\//);
  }, 30_000);

  it("names the package to install when a LangChain provider's package is not installed, and the question is still answered", async () => {
    // @langchain/groq does not come with Litbot: a user adds it with npm install.
    await expect(import('@langchain/groq' as string)).rejects.toThrow();
    const vars = { LLM_PROVIDER: 'groq', LLM_API_KEY: KEY, LLM_MODEL: 'llama-3.3-70b-versatile' };
    const env = loadConfig(vars);
    const error = await createChatModel(env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('LLM_PROVIDER=groq needs the package @langchain/groq, which is not installed: run `npm install @langchain/groq` in the Litbot folder.');
    const log = capturedLogger(loadConfig({ ...vars, LOG_LEVEL: 'debug' }));
    const answerer = createAnswerer({ env, retrieve: fixedRetrieve([migu, loraDropout]), corpus: seedPapers(), log: log.logger });
    const result = await answerer.answer(QUESTION);
    expect(result.note).toBe(MODEL_UNAVAILABLE_NOTE);
    expect(result.citations.length).toBeGreaterThan(0);
    expect(log.lines.find((l) => l.msg === 'LLM unavailable; answering offline')).toMatchObject({ backend: 'groq', err: expect.stringContaining('npm install @langchain/groq') });
    expect(log.raw.join('\n')).not.toContain(KEY);
  });

  it("stops a process at its start when the provider's package is not installed, naming it, and passes the installed ones", async () => {
    expect(() => checkProviderPackage('groq')).toThrow(
      'LLM_PROVIDER=groq needs the package @langchain/groq, which is not installed: run `npm install @langchain/groq` in the Litbot folder.',
    );
    for (const provider of ['extractive', 'openai', 'anthropic', 'ollama'] as const) expect(() => checkProviderPackage(provider)).not.toThrow();
    const env = loadConfig({ LLM_PROVIDER: 'groq', LLM_API_KEY: KEY, INDEX_DIR: '/nonexistent/litbot-index', LOG_LEVEL: 'silent' });
    await expect(createLitbot({ env, log: () => {} })).rejects.toThrow(/npm install @langchain\/groq/);
  });

  it('offers only providers initChatModel knows, each beyond the bundled three in a package Litbot does not install', async () => {
    const { MODEL_PROVIDER_CONFIG } = await import('langchain/chat_models/universal');
    const config = MODEL_PROVIDER_CONFIG as Record<string, { package: string }>;
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const providers = envSchema.shape.LLM_PROVIDER.unwrap().options.filter((p) => p !== 'extractive');
    expect(providers.length).toBeGreaterThan(3);
    for (const provider of providers) {
      expect(config[provider], provider).toBeDefined();
      expect(PROVIDER_PACKAGES[provider], provider).toBe(config[provider].package);
      const bundled = ['openai', 'anthropic', 'ollama'].includes(provider);
      expect(config[provider].package in pkg.dependencies, provider).toBe(bundled);
    }
  });
});

/**
 * A chat model streaming `pieces`, each with the generation info a client attaches (Mistral's
 * client puts its finish reason there; LangChain copies it into `response_metadata`).
 */
class ScriptedChatModel extends BaseChatModel {
  constructor(private readonly pieces: { text: string; info?: Record<string, unknown> }[]) {
    super({});
  }
  _llmType(): string {
    return 'scripted';
  }
  async _generate(): Promise<ChatResult> {
    throw new Error('streams only');
  }
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    for (const p of this.pieces) yield new ChatGenerationChunk({ message: new AIMessageChunk({ content: p.text }), text: p.text, generationInfo: p.info });
  }
}

describe('finish reasons', () => {
  it("reads Mistral's finishReason, and its length limits are cut-offs", async () => {
    expect(finishReasonOf([new AIMessageChunk({ content: 'a', response_metadata: { finishReason: 'stop' } })])).toBe('stop');
    for (const reason of ['length', 'model_length']) {
      const cut = new ScriptedChatModel([{ text: 'Part of it' }, { text: '', info: { finishReason: reason } }]);
      expect(await generate(cut, [['human', 'q']], { timeoutMs: 2_000, maxRetries: 0 })).toMatchObject({ text: 'Part of it', finish: 'cut-off', finishReason: reason });
    }
    const whole = new ScriptedChatModel([{ text: 'All of it.' }, { text: '', info: { finishReason: 'stop' } }]);
    expect(await generate(whole, [['human', 'q']], { timeoutMs: 2_000, maxRetries: 0 })).toMatchObject({ text: 'All of it.', finish: 'complete' });
    const unfinished = new ScriptedChatModel([{ text: 'All of' }]);
    await expect(generate(unfinished, [['human', 'q']], { timeoutMs: 2_000, maxRetries: 0 })).rejects.toMatchObject({ kind: 'truncated' });
  });
});

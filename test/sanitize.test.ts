/**
 * Secrets and upstream error text never reach Discord (issue 11, item 1): the real bot and the
 * real Litbot with the OpenAI backend, against a fake OpenAI-compatible server that fails the way
 * real gateways do (a 401 echoing the Authorization header it received, a 500 with an internal
 * path and a token), and the fake Discord recording every request body the bot sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_UNAVAILABLE_NOTE } from '../src/answer/answerer.js';
import { redact } from '../src/config/redact.js';
import { sanitizeBody } from '../src/discord/sanitize.js';
import type { Litbot } from '../src/litbot.js';
import { capturedLogger } from './helpers/captured-log.js';
import { NO_PINGS, TEST_TOKEN, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { startFakeOpenAI, type FakeLlmServer } from './helpers/fake-llm-servers.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const SECRETS = {
  LLM_API_KEY: 'sk-litbot-test-4f3e2d1c0b9a8877',
  ANTHROPIC_API_KEY: 'sk-ant-litbot-test-0a1b2c3d4e5f',
  EMBEDDINGS_API_KEY: 'emb-key-litbot-556677',
};
const INTERNAL = 'Traceback (most recent call last): File "/srv/llm-gateway/internal/handlers/chat.py", line 88, upstream token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 refused';
const QUESTION = 'How do language models forget earlier tasks during continual learning?';

/** Everything the bot sent to Discord, as one string. */
const everythingSent = (h: Harness) => h.fake.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');

describe('when the LLM fails', () => {
  let llm: FakeLlmServer;
  let h: Harness;
  let log: ReturnType<typeof capturedLogger>;

  beforeAll(async () => {
    llm = await startFakeOpenAI((request, index) => {
      // What real gateways do: echo the credential they were given (the first call), or dump their internals.
      if (index === 0) return { status: 401, message: `Incorrect API key provided: ${request.headers.authorization}` };
      return { status: 500, message: INTERNAL };
    });
    const vars = { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_MODEL: 'gpt-test', LLM_MAX_RETRIES: '1', LOG_LEVEL: 'debug', ...SECRETS };
    log = capturedLogger({ LOG_LEVEL: 'debug', DISCORD_TOKEN: TEST_TOKEN, ...SECRETS });
    const { litbot } = await createTestLitbot(vars, { logger: log.logger });
    h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000', ...vars });
  });
  afterAll(async () => {
    await h?.stop();
    await llm?.close();
  });

  it('answers a 401 that echoes the API key with the offline answer and a generic note, and logs the scrubbed status', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const final = await h.fake.editOf(i, (b) => b.components?.length > 0, 15_000);
    // The server did receive the key, and did echo it: the test has something to catch.
    expect(llm.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRETS.LLM_API_KEY}`);
    const description: string = final.body.embeds[0].description;
    expect(description.startsWith(`*${MODEL_UNAVAILABLE_NOTE}*\n\n`)).toBe(true);
    expect(description).toContain('**Sources**');

    const failure = log.lines.find((l) => l.msg === 'LLM request failed' && l.status === 401);
    expect(failure).toMatchObject({ level: 40, backend: 'openai', model: 'gpt-test', kind: 'http', attempt: 1, latencyMs: expect.any(Number) });
    expect(failure.detail).toContain('Incorrect API key provided: Bearer [redacted]');
    expect(log.lines.find((l) => l.msg === 'LLM unavailable; answering offline' && l.status === 401)).toMatchObject({ backend: 'openai', attempts: 1 });
  });

  it('answers a 500 with an internal path and a token the same way, to a mention in a thread', async () => {
    const message = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true });
    await h.handled(message, 15_000);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    const sent = h.fake.requests.filter((r) => r.path.startsWith(`/channels/${threadId}/messages`));
    expect(sent.at(-1)!.body.embeds[0].description.startsWith(`*${MODEL_UNAVAILABLE_NOTE}*`)).toBe(true);

    // Retried once (5xx), then given up: two lines, each with the status and what the server said, scrubbed.
    const failures = log.lines.filter((l) => l.msg === 'LLM request failed' && l.status === 500);
    expect(failures.map((l) => l.attempt)).toEqual([1, 2]);
    expect(failures[0]).toMatchObject({ kind: 'http', backend: 'openai', model: 'gpt-test', retryInMs: expect.any(Number) });
    expect(failures[0].detail).toContain('/srv/llm-gateway/internal/handlers/chat.py');
    expect(failures[0].detail).toContain('upstream token [redacted] refused');
  });

  it('sends nothing to Discord that holds a configured secret or any of the upstream text', () => {
    const all = everythingSent(h);
    expect(messageBodies(h.fake.requests).length).toBeGreaterThanOrEqual(2);
    for (const secret of [...Object.values(SECRETS), TEST_TOKEN]) expect(all).not.toContain(secret);
    for (const upstream of ['Incorrect API key', 'Bearer', 'Traceback', '/srv/llm-gateway', 'chat.py', 'ghp_', 'HTTP 401', 'HTTP 500', 'fake_error']) {
      expect(all).not.toContain(upstream);
    }
    for (const body of messageBodies(h.fake.requests)) expect(body.allowed_mentions).toEqual(NO_PINGS);
    // ... while the log has the details, with no secret in any line.
    const logged = log.raw.join('\n');
    expect(logged).toContain('/srv/llm-gateway');
    for (const secret of Object.values(SECRETS)) expect(logged).not.toContain(secret);
  });
});

describe('the send path', () => {
  let h: Harness;
  let real: Litbot;
  const leaky = `Keys in a pasted config: ${SECRETS.LLM_API_KEY}, ${TEST_TOKEN}, ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8, Bearer abc123def456ghi789jkl.`;

  beforeAll(async () => {
    real = (await createTestLitbot()).litbot;
    // The real Litbot, except that one paper's abstract holds secrets (a config pasted into the corpus)
    // and a user error quotes one: the formatting layer does nothing about either.
    const paper = real.paperById(real.lookup('continual learning', 1)[0].paperId)!;
    const spy: Litbot = Object.assign(Object.create(real) as Litbot, {
      paperById: (id: string) => (id === paper.id ? { ...paper, abstract: `${leaky} ${paper.abstract}` } : real.paperById(id)),
    });
    h = await startHarness(spy, { RATE_LIMIT_COUNT: '1000', ...SECRETS });
  });
  afterAll(() => h?.stop());

  it('scrubs configured secrets and credential shapes from every body, and logs that it did', async () => {
    const paperId = real.lookup('continual learning', 1)[0].paperId;
    const i = h.fake.slash('paper', [str('title', paperId)]);
    const body = (await h.fake.callbackOf(i)).body;
    const description: string = body.data.embeds[0].description;
    // The formatter escaped the abstract (`ghp\_...`); the sanitizer still reads the token in it.
    expect(description.startsWith('Keys in a pasted config: [redacted], [redacted], [redacted], Bearer [redacted].')).toBe(true);
    const all = everythingSent(h);
    for (const secret of [SECRETS.LLM_API_KEY, TEST_TOKEN, 'ghp_a1B2', 'abc123def456']) expect(all).not.toContain(secret);
    await h.handled(i);
    expect(h.logs.find((l) => l.msg === 'removed secret-like text from an outgoing Discord request')).toMatchObject({
      level: 40,
      fields: ['data.embeds[0].description'],
    });
  });

  it('leaves ordinary text alone and forces allowed mentions to none on any message body', () => {
    const report = { secrets: [] as string[], rewritten: [] as string[] };
    const body = { content: 'Basic arithmetic and Bearer bonds; sk-learn; token budgets', embeds: [], allowed_mentions: { parse: ['everyone'] } };
    expect(sanitizeBody(body, SECRETS, report)).toEqual({ ...body, allowed_mentions: { parse: [], replied_user: false } });
    expect(report).toEqual({ secrets: [], rewritten: [] });
    expect(redact(`x ${SECRETS.EMBEDDINGS_API_KEY} y`, SECRETS)).toBe('x [redacted] y');
  });
});

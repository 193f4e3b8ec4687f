/**
 * Limits and manners, end to end with the real client and the real Litbot: the per-user rate
 * limit, failures still answered (privately, and logged with secrets scrubbed), streamed edits,
 * over-long answers split within Discord's limits, and no pings anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, embedSize } from '../src/discord/format.js';
import { fakeUser } from '../src/discord/testing/fake-discord.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, TEST_TOKEN, bool, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { startSlowOpenAI, type SlowOpenAI } from './helpers/slow-openai.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'How do language models forget earlier tasks during continual learning?';
const MESSAGE = { tts: false, enforce_nonce: false };
const LINK = /\[(?:[^\[\]\\\n]|\\.)*\]\((?:[^()\s\\]|\\.)*\)/g;

describe('the per-user rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((await createTestLitbot()).litbot, { RATE_LIMIT_COUNT: '2', RATE_LIMIT_WINDOW_S: '60' });
  });
  afterAll(() => h?.stop());

  it('answers the request over the limit privately with "slow down, try again in N s", without deferring', async () => {
    const user = fakeUser(1);
    for (let n = 0; n < 2; n++) {
      const ok = h.fake.slash('about', [], { user });
      expect((await h.fake.callbackOf(ok)).body.type).toBe(4);
    }
    const over = h.fake.slash('ask', [str('question', QUESTION)], { user });
    const body = (await h.fake.callbackOf(over)).body;
    expect(body).toEqual({
      type: 4,
      data: { ...MESSAGE, content: expect.stringMatching(/^Slow down: try again in (59|60) s\.$/), flags: 64, allowed_mentions: NO_PINGS },
    });
    expect((await h.handled(over)).outcome).toBe('rate-limited');
    expect(h.fake.requestsFor(over)).toHaveLength(1);
  });

  it('counts each user separately', async () => {
    const other = h.fake.slash('about', [], { user: fakeUser(2) });
    expect((await h.fake.callbackOf(other)).body.data.embeds[0].title).toBe('About Litbot');
  });

  it('does not count autocomplete and buttons against the limit', async () => {
    const user = fakeUser(3);
    for (let n = 0; n < 4; n++) {
      const a = h.fake.autocomplete('paper', [str('title', 'continual', true)], { user });
      expect((await h.fake.callbackOf(a)).body.type).toBe(8);
    }
    const ok = h.fake.slash('about', [], { user });
    expect((await h.fake.callbackOf(ok)).body.type).toBe(4);
  });
});

describe('internal failures', () => {
  let h: Harness;
  let real: Litbot;
  beforeAll(async () => {
    real = (await createTestLitbot()).litbot;
    // The real Litbot, except that the parts under test fail the way a bug or outage would.
    const failing: Litbot = Object.assign(Object.create(real) as Litbot, {
      ask: async () => {
        throw new Error(`vector store exploded while using token ${TEST_TOKEN}`);
      },
      about: () => {
        throw new TypeError('about is broken');
      },
      lookup: () => {
        throw new Error('lookup is broken');
      },
    });
    h = await startHarness(failing, { RATE_LIMIT_COUNT: '1000' });
  });
  afterAll(() => h?.stop());

  it('replaces a deferred public answer with a private apology and logs the details, token scrubbed', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 0 } });
    const followUp = await h.fake.followUpOf(i);
    expect(followUp.body).toEqual({
      ...MESSAGE,
      content: 'Sorry, something went wrong while answering. It has been logged; please try again.',
      flags: 64,
      allowed_mentions: NO_PINGS,
    });
    const calls = h.fake.requestsFor(i).map((r) => `${r.method} ${r.path.replace(/\d{15,}/g, 'N').replace(/itok-N/, 'T')}`);
    expect(calls).toEqual(['POST /interactions/N/T/callback', 'DELETE /webhooks/N/T/messages/@original', 'POST /webhooks/N/T']);
    const line = await h.handled(i);
    expect(line).toMatchObject({ kind: 'command', command: 'ask', outcome: 'error', latencyMs: expect.any(Number) });
    const error = h.logs.find((l) => l.msg?.startsWith('interaction failed') && l.interaction?.id === i.id);
    expect(error.msg).toBe('interaction failed: vector store exploded while using token [redacted]');
    expect(JSON.stringify(h.logs)).not.toContain(TEST_TOKEN);
  });

  it('edits a private deferred answer into the apology', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION), bool('private', true)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 64 } });
    expect((await h.fake.editOf(i)).body.content).toBe('Sorry, something went wrong while answering. It has been logged; please try again.');
  });

  it('answers a failure before any reply with a private message', async () => {
    const i = h.fake.slash('about');
    expect((await h.fake.callbackOf(i)).body).toEqual({
      type: 4,
      data: { ...MESSAGE, content: 'Sorry, something went wrong while answering. It has been logged; please try again.', flags: 64, allowed_mentions: NO_PINGS },
    });
  });

  it('answers a failed autocomplete with no choices rather than leaving it hanging', async () => {
    const a = h.fake.autocomplete('paper', [str('title', 'continual', true)]);
    expect((await h.fake.callbackOf(a)).body).toEqual({ type: 8, data: { choices: [] } });
  });

  it("shows a user error's own message, privately", async () => {
    const i = h.fake.slash('topics', [str('topic', 'zzqx no such topic')]);
    const body = (await h.fake.callbackOf(i)).body;
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toContain('zzqx no such topic');
    expect((await h.handled(i)).outcome).toBe('user-error');
  });

  it('answers a click on a button from an unknown command', async () => {
    const click = h.fake.button('gone:thing:1', { id: '1', channel_id: h.fake.channelId, content: 'old' });
    expect((await h.fake.callbackOf(click)).body.data.content).toBe('This button no longer works; please run the command again.');
  });
});

describe('answers from a streaming LLM', () => {
  let h: Harness;
  let llm: SlowOpenAI;
  let litbot: Litbot;
  const long = (body: any) => {
    // A long, cited answer built from the passages in the prompt, the way a model would write it.
    const prompt = JSON.stringify(body.messages);
    const words = prompt
      .replace(/\\n|\\"/g, ' ')
      .match(/[A-Za-z]{4,}/g)!
      .slice(0, 400);
    const sentences: string[] = [];
    for (let n = 0; sentences.join(' ').length < 9_000; n++) {
      const start = (n * 13) % (words.length - 20);
      sentences.push(`${words.slice(start, start + 18).join(' ')} [${(n % 3) + 1}].${n % 6 === 5 ? '\n\n' : ''}`);
      if (n % 10 === 4) sentences.push('See https://github.com/example/continual-learning-benchmarks for code.');
    }
    return sentences.join(' ');
  };
  const short =
    'Models forget earlier tasks because new gradients overwrite the weights that stored them [1]. Regularising updates to important parameters limits this [2]. ' +
    'Replaying a few stored examples from earlier tasks also helps [1], as does updating only the parameters with large output magnitudes [2].';

  beforeAll(async () => {
    llm = await startSlowOpenAI((body) => (JSON.stringify(body.messages).includes('LONG-ANSWER') ? long(body) : short), { delayMs: 25, chunks: 30 });
    litbot = (await createTestLitbot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_API_KEY: 'sk-test-not-a-real-key', LLM_MODEL: 'gpt-test' })).litbot;
    h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' }, { streamEditIntervalMs: 150 });
  });
  afterAll(async () => {
    await h?.stop();
    await llm?.close();
  });

  it('edits the reply as the text arrives, at most once per interval, then sends the final answer', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    expect((await h.fake.callbackOf(i)).body.type).toBe(5);
    const final = await h.fake.editOf(i, (b) => b.components?.length > 0, 15_000);
    const edits = h.fake.requestsFor(i).filter((r) => r.method === 'PATCH');
    const partial = edits.slice(0, -1);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    for (const [n, e] of partial.entries()) {
      expect(e.body.embeds[0].footer).toEqual({ text: 'writing…' });
      expect(e.body.allowed_mentions).toEqual(NO_PINGS);
      if (n > 0) {
        // Edits leave the bot 150 ms apart; arrival adds a little transit jitter either way.
        expect(e.at - partial[n - 1].at).toBeGreaterThanOrEqual(100);
        expect(e.body.embeds[0].description.startsWith(partial[n - 1].body.embeds[0].description.replace(/…$/, ''))).toBe(true);
      }
    }
    expect(edits.at(-1)).toBe(final);
    expect(final.body.embeds[0].description.startsWith(short)).toBe(true);
    expect(final.body.embeds[0].footer.text).toMatch(/^openai \(gpt-test\) · \d+\.\d s$/);
  });

  it('streams an answer to a mention into its thread: a first message, edits of it, then the final answer', async () => {
    const message = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true, user: fakeUser(11) });
    await h.handled(message, 15_000);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    const inThread = h.fake.requests.filter((r) => r.path.startsWith(`/channels/${threadId}/messages`));
    expect(inThread[0].method).toBe('POST');
    expect(inThread[0].body.embeds[0].footer).toEqual({ text: 'writing…' });
    const edits = inThread.slice(1);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    const streamedId = [...h.fake.messages.values()].find((m) => m.channel_id === threadId)!.id;
    for (const e of edits) expect(e).toMatchObject({ method: 'PATCH', path: `/channels/${threadId}/messages/${streamedId}` });
    const final = edits.at(-1)!.body;
    expect(final.embeds[0].description.startsWith(short)).toBe(true);
    expect(final.embeds[0].footer.text).toMatch(/^openai \(gpt-test\) · \d+\.\d s$/);
    expect(final.components).toHaveLength(1);
    for (const r of inThread) expect(r.body.allowed_mentions).toEqual(NO_PINGS);
  });

  it('splits an over-long answer across messages within every Discord limit, never inside a link', async () => {
    const question = `${QUESTION} LONG-ANSWER`;
    const expected = await litbot.ask(question);
    expect(expected.answer.length).toBeGreaterThan(8_000);
    const i = h.fake.slash('ask', [str('question', question)]);
    await h.fake.editOf(i, (b) => b.embeds?.[0]?.footer?.text !== 'writing…', 20_000);
    await h.handled(i, 20_000);
    const finals = h.fake
      .requestsFor(i)
      .filter((r) => (r.method === 'PATCH' && r.body.embeds[0].footer?.text !== 'writing…') || (r.method === 'POST' && r.path.startsWith('/webhooks/')));
    expect(finals.length).toBeGreaterThanOrEqual(2);
    let text = '';
    for (const [n, r] of finals.entries()) {
      const embeds = r.body.embeds as any[];
      expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
      expect(embeds.reduce((sum, e) => sum + embedSize(e), 0)).toBeLessThanOrEqual(LIMITS.embedsTotal);
      for (const e of embeds) expect(e.description.length).toBeLessThanOrEqual(LIMITS.description);
      expect(r.body.allowed_mentions).toEqual(NO_PINGS);
      // The buttons go under the last part, next to the sources and footer.
      expect(Boolean(r.body.components?.length)).toBe(n === finals.length - 1);
      text += ` ${embeds.map((e) => e.description).join(' ')}`;
    }
    const [body, sources] = text.split('**Sources**');
    expect(body.replace(/\s+/g, ' ').trim()).toBe(expected.answer.replace(/\s+/g, ' ').trim());
    expect(sources.match(LINK)).toHaveLength(expected.citations.length);
    expect((text.match(/https:\/\/github\.com\/example\/continual-learning-benchmarks/g) ?? []).length).toBe(
      (expected.answer.match(/https:\/\/github\.com\/example\/continual-learning-benchmarks/g) ?? []).length,
    );
  });

  it('never pings: every message body carries empty allowed mentions', async () => {
    const hostile = `@everyone <@&123456789012345678> <@${fakeUser(9).id}> what is catastrophic forgetting?`;
    const i = h.fake.slash('ask', [str('question', hostile)]);
    const final = await h.fake.editOf(i, (b) => b.components?.length > 0, 15_000);
    // Shown as typed, but written so that no client reads a mention in it.
    const title: string = final.body.embeds[0].title;
    expect(title.replace(/\u200b/g, '').replace(/\\(.)/g, '$1')).toBe(hostile);
    expect(title).not.toMatch(/@everyone|<@/);
    const bodies = messageBodies(h.fake.requests);
    expect(bodies.length).toBeGreaterThan(5);
    for (const b of bodies) expect(b.allowed_mentions).toEqual(NO_PINGS);
  });
});

describe('graceful stop', () => {
  it('finishes the answer in flight before disconnecting, and refuses new requests meanwhile', async () => {
    const llm = await startSlowOpenAI(() => 'Forgetting comes from overwritten weights [1]. '.repeat(20), { delayMs: 20, chunks: 40 });
    const { litbot } = await createTestLitbot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_API_KEY: 'sk-test', LLM_MODEL: 'gpt-test' });
    const h = await startHarness(litbot, {}, { streamEditIntervalMs: 5_000 });
    try {
      const i = h.fake.slash('ask', [str('question', QUESTION)]);
      await h.fake.callbackOf(i);
      const stopped = h.bot.stop();
      const late = h.fake.slash('about');
      expect((await h.fake.callbackOf(late)).body.data.content).toBe('Litbot is restarting; please try again in a minute.');
      await stopped;
      const final = h.fake
        .requestsFor(i)
        .filter((r) => r.method === 'PATCH')
        .at(-1)!;
      expect(final.body.components).toHaveLength(1);
      expect(h.logs.some((l) => l.msg === 'bot stopped')).toBe(true);
    } finally {
      await h.fake.close();
      await llm.close();
    }
  });
});

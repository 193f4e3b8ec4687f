/**
 * Mentions, threads and DMs end to end: the real client against the fake Discord, the real Litbot
 * (observed, not replaced: a spy records what each `ask` received, then calls the real one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerOptions } from '../src/answer/types.js';
import { fakeUser } from '../src/discord/testing/fake-discord.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, mdLink, messageBodies, startHarness, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'How do language models forget earlier tasks during continual learning?';
const FOLLOW_UP = 'Which of those methods avoid replaying old data?';

let h: Harness;
let real: Litbot;
const asked: { question: string; options?: AnswerOptions }[] = [];

beforeAll(async () => {
  real = (await createTestLitbot()).litbot;
  const spy: Litbot = Object.assign(Object.create(real) as Litbot, {
    ask: (question: string, options?: AnswerOptions) => {
      asked.push({ question, options });
      return real.ask(question, options);
    },
  });
  // Follow-ups without a mention need the Message Content intent (test/discord-intents.test.ts covers it off).
  h = await startHarness(spy, { RATE_LIMIT_COUNT: '3', RATE_LIMIT_WINDOW_S: '60', DISCORD_MESSAGE_CONTENT: 'true' });
});

afterAll(() => h?.stop());

const mention = (text: string) => `<@${h.fake.botUser.id}> ${text}`;
const sent = (channelId: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`;

describe('a mention in a channel', () => {
  let threadId: string;
  let firstAnswer: any;

  it('is answered in a new thread on that message, named after the question', async () => {
    const message = h.fake.messageCreate(mention(QUESTION), { mentionsBot: true });
    const created = await h.fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${h.fake.channelId}/messages/${message.id}/threads`);
    expect(created.body).toEqual({ name: QUESTION, auto_archive_duration: 1440, type: 11 });
    threadId = [...h.fake.threads.keys()].at(-1)!;
    const answer = await h.fake.waitForRequest(sent(threadId));
    const expected = await real.ask(QUESTION);
    const sources = expected.citations.map((c) => `**[${c.n}]** ${mdLink(c.title, c.url)}`).join('\n');
    expect(answer.body).toEqual({
      tts: false,
      enforce_nonce: false,
      embeds: [{ color: 0x4f6bed, description: `${expected.answer}\n\n**Sources**\n${sources}`, footer: { text: expect.stringMatching(/^extractive · \d+\.\d s$/) } }],
      components: [expect.objectContaining({ type: 1 })],
      allowed_mentions: NO_PINGS,
    });
    expect(asked.at(-1)).toEqual({ question: QUESTION, options: expect.objectContaining({ history: [] }) });
    expect(h.fake.requests.some((r) => r.path === `/channels/${threadId}/typing`)).toBe(true);
    firstAnswer = answer.body;
    expect((await h.handled(message)).outcome).toBe('ok');
  });

  it('answers a later message in that thread, without a mention, as a follow-up with the thread history', async () => {
    const from = h.fake.requests.length;
    const message = h.fake.messageCreate(FOLLOW_UP, { channelId: threadId });
    const answer = await h.fake.waitForRequest(sent(threadId), { from });
    expect(asked.at(-1)!.question).toBe(FOLLOW_UP);
    const history = asked.at(-1)!.options!.history!;
    expect(history).toHaveLength(1);
    expect(history[0].question).toBe(QUESTION);
    expect(firstAnswer.embeds[0].description.startsWith(history[0].answer.answer)).toBe(true);
    // In place in the thread: a reply to the follow-up that pings nobody, not even its author.
    expect(answer.body.message_reference).toMatchObject({ message_id: message.id });
    expect(answer.body.allowed_mentions).toEqual(NO_PINGS);
    const expected = await real.ask(FOLLOW_UP, { history });
    expect(answer.body.embeds[0].description.startsWith(expected.answer)).toBe(true);
    expect(h.fake.requests.slice(from).some((r) => r.path.endsWith('/threads'))).toBe(false);
  });
});

describe('a mention in a thread someone else started', () => {
  it('is answered in place, and un-mentioned messages there are left alone', async () => {
    const threadId = h.fake.userThread('reading group');
    const from = h.fake.requests.length;
    const chatter = h.fake.messageCreate('anyone read the MIGU paper?', { channelId: threadId, user: fakeUser(4) });
    const message = h.fake.messageCreate(mention('What is MIGU?'), { channelId: threadId, mentionsBot: true, user: fakeUser(4) });
    const answer = await h.fake.waitForRequest(sent(threadId), { from });
    expect(answer.body.message_reference).toMatchObject({ message_id: message.id });
    expect(answer.body.embeds[0].description.length).toBeGreaterThan(50);
    await h.handled(message);
    expect(h.logs.some((l) => l.id === chatter.id)).toBe(false);
    expect(h.fake.requests.slice(from).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))).toHaveLength(1);
  });
});

describe('messages that are not for Litbot', () => {
  it('ignores channel messages that do not mention it', async () => {
    const from = h.fake.requests.length;
    const message = h.fake.messageCreate('What is catastrophic forgetting?', { user: fakeUser(5) });
    // A mention after it proves the first one was seen and skipped, not still in progress.
    const later = h.fake.messageCreate(mention('What is catastrophic forgetting?'), { mentionsBot: true, user: fakeUser(5) });
    await h.handled(later);
    expect(h.logs.some((l) => l.id === message.id)).toBe(false);
    expect(h.fake.requests.slice(from).filter((r) => r.path.includes(message.id))).toEqual([]);
  });
});

describe('direct messages', () => {
  it('answers a DM in the DM channel, with the DM history for the next one', async () => {
    const user = fakeUser(6);
    const dm = h.fake.messageCreate(QUESTION, { dm: true, user });
    const answer = await h.fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${dm.channel_id}/messages`);
    expect(answer.body.message_reference).toMatchObject({ message_id: dm.id });
    expect(answer.body.allowed_mentions).toEqual(NO_PINGS);
    expect(answer.body.embeds[0].description).toContain('**Sources**');
    await h.handled(dm);
    const next = h.fake.messageCreate(FOLLOW_UP, { dm: true, user });
    await h.handled(next);
    expect(asked.at(-1)!.options!.history!.map((t) => t.question)).toEqual([QUESTION]);
  });
});

describe('limits on mentions', () => {
  it('tells a user over the rate limit to slow down in a DM, not in the channel', async () => {
    const user = fakeUser(7);
    for (let n = 0; n < 3; n++) await h.handled(h.fake.messageCreate(mention(`What is continual learning? (${n})`), { mentionsBot: true, user }));
    const from = h.fake.requests.length;
    const over = h.fake.messageCreate(mention('And what is forgetting?'), { mentionsBot: true, user });
    const log = await h.handled(over);
    expect(log.outcome).toBe('rate-limited');
    const calls = h.fake.requests.slice(from);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/users/@me/channels', body: { recipient_id: user.id } });
    expect(calls[1].body).toEqual({ tts: false, enforce_nonce: false, content: expect.stringMatching(/^Slow down: try again in \d+ s\.$/), allowed_mentions: NO_PINGS });
    expect(calls.some((r) => r.path.endsWith('/threads'))).toBe(false);
  });

  it('asks for a question when the mention has none', async () => {
    const from = h.fake.requests.length;
    const message = h.fake.messageCreate(mention(''), { mentionsBot: true, user: fakeUser(8) });
    await h.handled(message);
    const reply = h.fake.requests.slice(from).find(sent(h.fake.channelId))!;
    expect(reply.body.content).toMatch(/^Ask a question/);
  });

  it('sends every message with nothing to ping', () => {
    const bodies = messageBodies(h.fake.requests);
    expect(bodies.length).toBeGreaterThan(6);
    for (const b of bodies) expect(b.allowed_mentions).toEqual(NO_PINGS);
    expect(h.fake.problems).toEqual([]);
    expect(h.unhandled).toEqual([]);
  });
});

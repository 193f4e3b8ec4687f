/**
 * Forged and malformed custom ids (issue 11, item 6): clicks the bot never offered, sent through
 * the fake Discord to the real bot, each get the one standard private error, never "page NaN".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_BUTTON, parseAnswerButton, parsePaperButton, parseTopicPageButton } from '../src/discord/button-ids.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, messageBodies, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'How do language models forget earlier tasks during continual learning?';
let h: Harness;
let litbot: Litbot;

beforeAll(async () => {
  litbot = (await createTestLitbot()).litbot;
  h = await startHarness(litbot, { RATE_LIMIT_COUNT: '1000' });
});
afterAll(() => h?.stop());

describe('a click on a forged or stale custom id', () => {
  it.each([
    'topics:page:3:NaN',
    'topics:page:3:-1',
    'topics:page:3:1.5',
    'topics:page:3:1e3',
    'topics:page:3:01',
    'topics:page:3:0:extra',
    'topics:page:NaN:0',
    'topics:page:3:999999',
    'topics:page:999999:0',
    'topics:page',
    'topics:sort:3:0',
    'ask:feedback:up:0123456789ab',
    'ask:feedback:up:zzzzzzzzzzzz',
    'ask:feedback:sideways:0123456789ab',
    'ask:feedback:up:0123456789ab:extra',
    'ask:evidence',
    'ask:evidence:../../etc/passwd',
    'ask:delete:0123456789ab',
    'paper:similar:nope',
    'paper:similar:../x',
    'paper:similar',
    'paper:delete:abc',
    'about:anything',
    'nobody:1:2',
    '::::',
  ])('%s gets the standard private error', async (customId) => {
    const click = h.fake.button(customId, { id: '1', channel_id: h.fake.channelId, content: 'an old message' });
    expect((await h.fake.callbackOf(click)).body).toEqual({
      type: 4,
      data: { tts: false, enforce_nonce: false, content: STALE_BUTTON, flags: 64, allowed_mentions: NO_PINGS },
    });
    expect((await h.handled(click)).outcome).toBe('user-error');
  });

  it('also when the ids name real things but are forged: an answer id and a page of a real topic', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    const answer = (await h.fake.editOf(i, (b) => b.components?.length > 0)).body;
    const answerId = answer.components[0].components[0].custom_id.split(':')[3];
    const topic = [...litbot.topics()].sort((a, b) => b.papers.length - a.papers.length)[0];
    for (const forged of [
      `ask:feedback:up:${answerId}:x`,
      `ask:evidence:${answerId}:x`,
      `topics:page:${topic.id}:NaN`,
      `topics:page:${topic.id}:-1`,
      `topics:page:${topic.id}:50`,
    ]) {
      const click = h.fake.button(forged, answer);
      expect((await h.fake.callbackOf(click)).body.data.content, forged).toBe(STALE_BUTTON);
    }
  });

  it('never shows NaN, undefined or a stack anywhere', () => {
    for (const body of messageBodies(h.fake.requests)) expect(JSON.stringify(body)).not.toMatch(/NaN|undefined|at \S+ \(/);
    expect(h.fake.problems).toEqual([]);
    expect(h.unhandled).toEqual([]);
  });
});

describe('the parsers', () => {
  it('accept exactly the ids the bot writes', () => {
    expect(parseAnswerButton(['feedback', 'down', '0123456789ab'])).toEqual({ action: 'feedback', vote: 'down', answerId: '0123456789ab' });
    expect(parseAnswerButton(['evidence', '0123456789ab'])).toEqual({ action: 'evidence', answerId: '0123456789ab' });
    expect(parseTopicPageButton(['page', '12', '0'])).toEqual({ topicId: 12, page: 0 });
    expect(parsePaperButton(['ask', 'a1b2c3d4e5f6'])).toEqual({ action: 'ask', paperId: 'a1b2c3d4e5f6' });
    expect(() => parseTopicPageButton(['page', '12', ' 1'])).toThrow(STALE_BUTTON);
  });
});

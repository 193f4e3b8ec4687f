/**
 * Feedback votes (issue 11, item 6): one vote per user per answer, changeable, kept in a file
 * that reads back the same. Clicks come from the fake Discord to the real bot.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackStore, voterId } from '../src/discord/feedback-store.js';
import { fakeUser } from '../src/discord/testing/fake-discord.js';
import { startHarness, str, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const QUESTION = 'How do language models forget earlier tasks during continual learning?';

let h: Harness;

beforeAll(async () => {
  h = await startHarness((await createTestLitbot()).litbot, { RATE_LIMIT_COUNT: '1000' });
});
afterAll(() => h?.stop());

/** The answer message and its Helpful / Not helpful custom ids. */
async function askOnce(): Promise<{ answer: any; up: string; down: string }> {
  const i = h.fake.slash('ask', [str('question', QUESTION)]);
  const answer = (await h.fake.editOf(i, (b) => b.components?.length > 0)).body;
  const [up, down] = answer.components[0].components.map((c: any) => c.custom_id);
  return { answer, up, down };
}

describe('votes on an answer', () => {
  it("30 clicks by one user leave one vote, the last one; another user's vote is kept beside it", async () => {
    const { answer, up, down } = await askOnce();
    const answerId = up.split(':')[3];
    const clicker = fakeUser(1);
    const replies: string[] = [];
    // Sequential, as a user clicks: 10 ups, then alternating, ending on down.
    for (let n = 0; n < 30; n++) {
      const click = h.fake.button(n < 10 || n % 2 === 0 ? up : down, answer, { user: clicker });
      replies.push((await h.fake.callbackOf(click)).body.data.content);
    }
    const other = h.fake.button(up, answer, { user: fakeUser(2) });
    expect((await h.fake.callbackOf(other)).body.data.content).toBe('Thanks! Noted as helpful.');

    expect(replies[0]).toBe('Thanks! Noted as helpful.');
    expect(replies.slice(1, 10)).toEqual(Array(9).fill('You already marked this answer as helpful.'));
    expect(replies[11]).toBe('Changed your vote to not helpful.');
    expect(replies[12]).toBe('Changed your vote to helpful.');

    // Read back by a store that never saw the clicks (as after a restart), and as raw lines.
    const votes = (await new FeedbackStore(h.env.FEEDBACK_FILE).readAll()).filter((v) => v.answerId === answerId);
    expect(votes.map((v) => [v.voter, v.vote])).toEqual([
      [voterId(answerId, clicker.id), 'down'],
      [voterId(answerId, fakeUser(2).id), 'up'],
    ]);
    const lines = (await readFile(h.env.FEEDBACK_FILE, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.answerId === answerId)).toHaveLength(2);
    // No user id in the file: the voter is a hash that differs from one answer to the next.
    expect(JSON.stringify(lines)).not.toContain(clicker.id);
  });

  it('keeps counting votes right after the file is read again by a new store', async () => {
    const { answer, up, down } = await askOnce();
    const answerId = up.split(':')[3];
    const user = fakeUser(3);
    expect((await h.fake.callbackOf(h.fake.button(up, answer, { user }))).body.data.content).toBe('Thanks! Noted as helpful.');
    // The bot's store is replaced by one that has only the file to go on.
    h.bot.context.feedback = new FeedbackStore(h.env.FEEDBACK_FILE);
    expect((await h.fake.callbackOf(h.fake.button(up, answer, { user }))).body.data.content).toBe('You already marked this answer as helpful.');
    expect((await h.fake.callbackOf(h.fake.button(down, answer, { user }))).body.data.content).toBe('Changed your vote to not helpful.');
    const votes = (await new FeedbackStore(h.env.FEEDBACK_FILE).readAll()).filter((v) => v.answerId === answerId);
    expect(votes).toEqual([expect.objectContaining({ vote: 'down', voter: voterId(answerId, user.id), question: QUESTION })]);
  });

  it('applies concurrent clicks one after another', async () => {
    const { answer, up, down } = await askOnce();
    const answerId = up.split(':')[3];
    const clicks = Array.from({ length: 12 }, (_, n) => h.fake.button(n % 2 ? down : up, answer, { user: fakeUser(10 + (n % 3)) }));
    await Promise.all(clicks.map((c) => h.fake.callbackOf(c)));
    const votes = (await new FeedbackStore(h.env.FEEDBACK_FILE).readAll()).filter((v) => v.answerId === answerId);
    expect(votes).toHaveLength(3);
  });
});

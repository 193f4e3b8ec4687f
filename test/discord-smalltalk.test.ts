/**
 * Small talk end to end: the real discord.js client against the fake Discord and the real Litbot
 * over the seed papers. A greeting gets the friendly reply, citing nothing and pinging nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUser } from '../src/discord/testing/fake-discord.js';
import type { Litbot } from '../src/litbot.js';
import { NO_PINGS, startHarness, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

let h: Harness;
let litbot: Litbot;

beforeAll(async () => {
  litbot = (await createTestLitbot()).litbot;
  h = await startHarness(litbot);
});

afterAll(() => h?.stop());

describe('a greeting sent to Litbot on Discord', () => {
  it('gets a short friendly reply with example questions, citing nothing and pinging nobody', async () => {
    const user = fakeUser(21);
    const dm = h.fake.messageCreate('hi @everyone', { dm: true, user });
    const reply = await h.fake.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${dm.channel_id}/messages`);
    expect((await h.handled(dm)).outcome).toBe('ok');
    expect(reply.body.allowed_mentions).toEqual(NO_PINGS);
    const [embed] = reply.body.embeds;
    expect(embed.description).toMatch(/^Hi! I'm Litbot\./);
    expect(embed.description).toContain(`${litbot.about().papers} research papers`);
    expect(embed.description).not.toMatch(/\*\*Sources\*\*|\[\d+\]/);
    // No evidence to show and nothing to rate: no buttons.
    expect(reply.body.components ?? []).toEqual([]);
    const examples = [...embed.description.matchAll(/• "([^"]+)"/g)].map((m: RegExpMatchArray) => m[1]);
    expect(examples).toHaveLength(2);
  });
});

/**
 * The Message Content intent as a setting, and logins Discord refuses: the real client against
 * the fake Discord, which checks IDENTIFY's intents against what the "Developer Portal" allows,
 * closes with 4014 / 4004 or answers 401 as Discord does, and blanks un-mentioned guild messages
 * for a bot without the intent.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.js';
import { createLogger } from '../src/config/logger.js';
import { startBot } from '../src/discord/bot.js';
import { loadCommands } from '../src/discord/registry.js';
import { FakeDiscord, INTENT, type FakeDiscordOptions } from '../src/discord/testing/fake-discord.js';
import type { Litbot } from '../src/litbot.js';
import { TEST_TOKEN, startHarness, str, type Harness } from './helpers/discord-harness.js';
import { createTestLitbot } from './helpers/test-litbot.js';

const BASE_INTENTS = INTENT.Guilds | INTENT.GuildMessages | INTENT.DirectMessages;
const QUESTION = 'How do language models forget earlier tasks during continual learning?';

let litbot: Litbot;
beforeAll(async () => {
  litbot = (await createTestLitbot()).litbot;
});

const sent = (channelId: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`;

describe('with DISCORD_MESSAGE_CONTENT off (the default), on an application whose portal has the intent off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(litbot, {}, { fake: { privilegedIntents: 0 } });
  });
  afterAll(() => h?.stop());

  it('logs in without the privileged intent and logs that it is ready: user, servers, commands, the index it serves', async () => {
    expect(h.fake.identifies.map((i) => i.intents)).toEqual([BASE_INTENTS]);
    const about = litbot.about();
    const ready = h.logs.find((l) => l.msg === 'bot ready');
    expect(ready).toMatchObject({
      user: 'Litbot',
      guilds: 1,
      servers: ['Fake guild'],
      commands: (await loadCommands()).map((c) => c.data.name),
      registration: `registered to server ${h.fake.guildId} at start`,
      index: { papers: about.papers, builtAt: about.builtAt },
      messageContent: false,
    });
    expect(ready.invite).toBeUndefined();
  });

  it('answers slash commands', async () => {
    const i = h.fake.slash('ask', [str('question', QUESTION)]);
    expect((await h.fake.callbackOf(i)).body).toEqual({ type: 5, data: { flags: 0 } });
    const edit = await h.fake.editOf(i, (b) => b.embeds?.[0]?.description?.includes('**Sources**'), 30_000);
    expect(edit.body.embeds[0].description.length).toBeGreaterThan(100);
  });

  it('answers a mention in a thread, and leaves an un-mentioned follow-up there alone, since Discord blanks it', async () => {
    const message = h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true });
    await h.handled(message, 30_000);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    expect(h.fake.requests.some(sent(threadId))).toBe(true);

    const from = h.fake.requests.length;
    const followUp = h.fake.messageCreate('Which of those avoid replaying old data?', { channelId: threadId });
    // A mention after it, in the same thread, proves the follow-up was seen and skipped, not still in progress.
    const mentioned = h.fake.messageCreate(`<@${h.fake.botUser.id}> Which of those avoid replaying old data?`, { channelId: threadId, mentionsBot: true });
    expect((await h.handled(mentioned, 30_000)).outcome).toBe('ok');
    expect(h.logs.some((l) => l.id === followUp.id)).toBe(false);
    const replies = h.fake.requests.slice(from).filter(sent(threadId));
    expect(replies).toHaveLength(1);
    expect(replies[0].body.message_reference).toMatchObject({ message_id: mentioned.id });
  });

  it('answers direct messages', async () => {
    const dm = h.fake.messageCreate(QUESTION, { dm: true });
    expect((await h.handled(dm, 30_000)).outcome).toBe('ok');
    const answer = h.fake.requests.find(sent(dm.channel_id))!;
    expect(answer.body.embeds[0].description).toContain('**Sources**');
  });

  it('says in /help how the owner enables follow-ups without a mention', async () => {
    const i = h.fake.slash('help');
    const help = (await h.fake.callbackOf(i)).body.data.embeds[0].description;
    expect(help).toContain('Mention @Litbot again in that thread for a follow-up');
    expect(help).toContain('switch on the Message Content intent in the Discord Developer Portal and set DISCORD_MESSAGE_CONTENT=true');
    expect(h.fake.problems).toEqual([]);
    expect(h.unhandled).toEqual([]);
  });
});

describe('with DISCORD_MESSAGE_CONTENT=true, on an application whose portal has the intent on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(litbot, { DISCORD_MESSAGE_CONTENT: 'true' }, { fake: { privilegedIntents: INTENT.MessageContent } });
  });
  afterAll(() => h?.stop());

  it('asks for the intent, answers an un-mentioned follow-up in its thread, and /help says follow-ups need no mention', async () => {
    expect(h.fake.identifies.map((i) => i.intents)).toEqual([BASE_INTENTS | INTENT.MessageContent]);
    expect(h.logs.find((l) => l.msg === 'bot ready')).toMatchObject({ messageContent: true });
    await h.handled(h.fake.messageCreate(`<@${h.fake.botUser.id}> ${QUESTION}`, { mentionsBot: true }), 30_000);
    const threadId = [...h.fake.threads.keys()].at(-1)!;
    const followUp = h.fake.messageCreate('Which of those avoid replaying old data?', { channelId: threadId });
    expect((await h.handled(followUp, 30_000)).outcome).toBe('ok');
    const help = (await h.fake.callbackOf(h.fake.slash('help'))).body.data.embeds[0].description;
    expect(help).toContain('later messages in that thread are follow-ups');
    expect(help).not.toContain('DISCORD_MESSAGE_CONTENT');
  });
});

describe('a bot in no server yet', () => {
  it('logs that it is ready with the invite link that adds it to one', async () => {
    const h = await startHarness(litbot, { DISCORD_GUILD_ID: '' }, { fake: { noGuild: true } });
    try {
      const ready = h.logs.find((l) => /^bot ready/.test(l.msg));
      expect(ready.msg).toBe('bot ready, but in no server yet: open the invite link to add it');
      expect(ready).toMatchObject({
        guilds: 0,
        servers: [],
        registration: 'global: registered by npm run deploy-commands (can take up to an hour to appear)',
        invite: `https://discord.com/oauth2/authorize?client_id=${h.fake.applicationId}&scope=bot%20applications.commands&permissions=309237729280`,
      });
    } finally {
      await h.stop();
    }
  });
});

describe('a login that cannot succeed ends with one line naming the fix', () => {
  /** Starts the real bot against a fake Discord set up with `fake`, expecting the login to fail. */
  async function failedLogin(vars: Record<string, string>, fake: FakeDiscordOptions = {}): Promise<{ error: Error; fake: FakeDiscord }> {
    const discord = await FakeDiscord.start(fake);
    const env = loadConfig({ DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: discord.applicationId, DISCORD_API_URL: discord.apiUrl, LOG_LEVEL: 'silent', ...vars });
    try {
      await startBot({ env, litbot, logger: createLogger(env), clientOptions: { rest: { retries: 0, timeout: 5_000 } } });
    } catch (error) {
      return { error: error as Error, fake: discord };
    } finally {
      await discord.close();
    }
    throw new Error('the login succeeded');
  }

  it('names the Message Content switch in the portal, or the setting, when Discord refuses the intent with close code 4014', async () => {
    const { error, fake } = await failedLogin({ DISCORD_MESSAGE_CONTENT: 'true' }, { privilegedIntents: 0 });
    expect(fake.identifies.map((i) => i.intents)).toEqual([BASE_INTENTS | INTENT.MessageContent]);
    expect(error.name).toBe('DiscordLoginError');
    expect(error.message).toBe(
      'Discord refused the login (close code 4014, disallowed intents): DISCORD_MESSAGE_CONTENT=true asks for the Message Content intent, which is not switched on for this bot. ' +
        `Switch on "Message Content Intent" under Privileged Gateway Intents at https://discord.com/developers/applications/${fake.applicationId}/bot, or set DISCORD_MESSAGE_CONTENT=false (follow-ups in threads then need a mention).`,
    );
    expect(error.message).not.toContain('\n');
  });

  it('names DISCORD_TOKEN and where to copy it from when Discord rejects the token', async () => {
    const { error, fake } = await failedLogin({}, { token: 'the-token-discord-knows' });
    expect(error.name).toBe('DiscordLoginError');
    expect(error.message).toBe(
      `Discord rejected DISCORD_TOKEN (401 Unauthorized / close code 4004): copy the bot's token again from https://discord.com/developers/applications/${fake.applicationId}/bot (Reset Token) into DISCORD_TOKEN in .env; the application id alone is not a token.`,
    );
    expect(error.message).not.toContain(TEST_TOKEN);
  });

  it('names the connection to check when Discord cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const env = loadConfig({ DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: '100000000000000001', DISCORD_API_URL: `http://127.0.0.1:${port}/api`, LOG_LEVEL: 'silent' });
    const error = await startBot({ env, litbot, logger: createLogger(env), clientOptions: { rest: { retries: 0 } } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe('DiscordLoginError');
    expect(error?.message).toBe(
      `Cannot reach Discord at http://127.0.0.1:${port}/api (ECONNREFUSED): check this machine's internet connection, DNS, firewall or proxy, and DISCORD_API_URL, then start again.`,
    );
  });
});

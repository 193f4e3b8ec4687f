/**
 * `npm start` and `npm run deploy-commands` as a user runs them: as child processes, with only
 * the environment given here (and no `.env`: they run in an empty folder).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../src/discord/registry.js';
import { FakeDiscord } from '../src/discord/testing/fake-discord.js';
import { TEST_TOKEN } from './helpers/discord-harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(TSX, [join(ROOT, script)], {
      cwd: mkdtempSync(join(tmpdir(), 'litbot-start-')),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm start', () => {
  it('fails at start naming both missing variables, with the exit code service managers do not restart on', async () => {
    const { code, stderr } = await run('src/discord/start.ts', {});
    expect(code).toBe(78);
    expect(stderr.trim()).toBe(
      'Missing DISCORD_TOKEN and DISCORD_CLIENT_ID: set them in .env (the bot token and application id from https://discord.com/developers/applications; see README).',
    );
  });

  it('fails at start naming an invalid variable', async () => {
    const { code, stderr } = await run('src/discord/start.ts', { DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: 'my-bot' });
    expect(code).toBe(78);
    expect(stderr).toContain('DISCORD_CLIENT_ID: must be the numeric application id');
    expect(stderr).not.toContain(TEST_TOKEN);
  });
});

describe('npm start against a Discord that refuses the login', () => {
  // The index cannot load here (no corpus): the login fails first, and that is what is reported.
  const base = { CORPUS_DIR: 'no-corpus-here', LOG_LEVEL: 'warn' };

  it('ends with one line naming the fix, and the exit code service managers do not restart on, when the token is rejected', async () => {
    const fake = await FakeDiscord.start({ token: 'the-token-discord-knows' });
    const { code, stdout, stderr } = await run('src/discord/start.ts', { ...base, DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl });
    await fake.close();
    expect(stderr.trim().split('\n')).toEqual([
      `Discord rejected DISCORD_TOKEN (401 Unauthorized / close code 4004): copy the bot's token again from https://discord.com/developers/applications/${fake.applicationId}/bot (Reset Token) into DISCORD_TOKEN in .env; the application id alone is not a token.`,
    ]);
    expect(stdout).toBe('');
    expect(code).toBe(78);
  });

  it('ends with one line naming the portal switch when Discord refuses the Message Content intent (close code 4014)', async () => {
    const fake = await FakeDiscord.start({ privilegedIntents: 0 });
    const { code, stderr } = await run('src/discord/start.ts', {
      ...base,
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_MESSAGE_CONTENT: 'true',
    });
    await fake.close();
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Discord refused the login \(close code 4014, disallowed intents\): DISCORD_MESSAGE_CONTENT=true asks for the Message Content intent/),
    ]);
    expect(code).toBe(78);
  });
});

describe('npm run deploy-commands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(() => fake?.close());

  it('registers every command globally when no guild is set', async () => {
    const { code, stdout, stderr } = await run('src/discord/deploy-commands.ts', {
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${fake.applicationId}/commands`);
    expect(put.body).toEqual(JSON.parse(JSON.stringify((await loadCommands()).map((c) => c.data.toJSON()))));
    expect(stdout.trim()).toBe(
      'Registered 9 commands to all servers (global commands can take up to an hour to appear): /about, /add, /ask, /help, /paper, /remove, /search, /similar, /topics',
    );
  });

  it('registers them to DISCORD_GUILD_ID when set', async () => {
    const from = fake.requests.length;
    const { code, stdout } = await run('src/discord/deploy-commands.ts', {
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_GUILD_ID: fake.guildId,
      DISCORD_API_URL: fake.apiUrl,
    });
    expect(code).toBe(0);
    expect(fake.requests.slice(from).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /applications/${fake.applicationId}/guilds/${fake.guildId}/commands`]);
    expect(stdout).toContain(`to guild ${fake.guildId} (available now)`);
  });
});

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
  it('fails at start naming both missing variables', async () => {
    const { code, stderr } = await run('src/discord/start.ts', {});
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'Missing DISCORD_TOKEN and DISCORD_CLIENT_ID: set them in .env (the bot token and application id from https://discord.com/developers/applications; see README).',
    );
  });

  it('fails at start naming an invalid variable', async () => {
    const { code, stderr } = await run('src/discord/start.ts', { DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: 'my-bot' });
    expect(code).toBe(1);
    expect(stderr).toContain('DISCORD_CLIENT_ID: must be the numeric application id');
    expect(stderr).not.toContain(TEST_TOKEN);
  });
});

describe('npm run deploy-commands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(() => fake?.close());

  it('registers every command globally when no guild is set', async () => {
    const { code, stdout, stderr } = await run('src/discord/deploy-commands.ts', { DISCORD_TOKEN: TEST_TOKEN, DISCORD_CLIENT_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl });
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

/**
 * `npm start` for real: the configured index (built first if missing) and embedder, the bot
 * process connecting to a fake Discord on 127.0.0.1, then SIGTERM. Slow (it loads the embedding
 * model), so it is an integration test: `npm run test:int`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../src/discord/testing/fake-discord.js';
import { TEST_TOKEN } from './helpers/discord-harness.js';

const ROOT = resolve(import.meta.dirname, '..');
let fake: FakeDiscord | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  await fake?.close();
});

function start(fakeDiscord: FakeDiscord, vars: Record<string, string> = {}): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['src/discord/start.ts'], {
    cwd: ROOT,
    // Its own process group, so that SIGTERM reaches every process the way Ctrl-C would.
    detached: true,
    env: {
      ...process.env,
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_CLIENT_ID: fakeDiscord.applicationId,
      DISCORD_GUILD_ID: fakeDiscord.guildId,
      DISCORD_API_URL: fakeDiscord.apiUrl,
      LLM_PROVIDER: 'extractive',
      LOG_LEVEL: 'info',
      ...vars,
    },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((done) => child!.on('close', (code) => done(code)));
  return { output: () => output, exited };
}

describe('npm start', () => {
  it('connects, registers the commands to the guild, answers, and stops gracefully on SIGTERM', async () => {
    fake = await FakeDiscord.start();
    const bot = start(fake);
    const put = await fake.waitForRequest((r) => r.method === 'PUT', { timeoutMs: 110_000, what: 'command registration' });
    expect(put.path).toBe(`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`);
    const i = fake.slash('about');
    const about = (await fake.callbackOf(i, 10_000)).body.data.embeds[0];
    expect(about.fields.find((f: any) => f.name === 'Papers').value).toBe('158');
    process.kill(-child!.pid!, 'SIGTERM');
    expect(await bot.exited).toBe(0);
    const lines = bot
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['bot ready', 'registered commands to the guild', 'interaction', 'shutting down', 'bot stopped']));
    expect(bot.output()).not.toContain(TEST_TOKEN);
  });

  it('runs one process per shard with SHARDS=2, and registers the commands once', async () => {
    fake = await FakeDiscord.start();
    const bot = start(fake, { SHARDS: '2' });
    // discord.js spawns shards 5.5 s apart; each loads the index and the model.
    for (let n = 0; n < 100 && fake.identifies.length < 2; n++) await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.identifies.map((p) => p.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    process.kill(-child!.pid!, 'SIGTERM');
    await bot.exited;
    expect(bot.output()).toContain('"shard":1,"totalShards":2,"msg":"shard started"');
  });
});

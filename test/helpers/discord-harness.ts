/**
 * Starts the real bot (real discord.js client) against a fresh fake Discord on 127.0.0.1, with a
 * logger whose lines the test can read, and tears both down.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { loadConfig, type Env } from '../../src/config/env.js';
import { createLogger } from '../../src/config/logger.js';
import { startBot, type RunningBot } from '../../src/discord/bot.js';
import type { CollectionEditor } from '../../src/discord/collection-editor.js';
import { FakeDiscord, type FakeDiscordOptions } from '../../src/discord/testing/fake-discord.js';
import type { Litbot } from '../../src/litbot.js';

export const TEST_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAx.GfakeX.abcdefghijklmnopqrstuvwxyz0123456789AB';

export interface Harness {
  fake: FakeDiscord;
  bot: RunningBot;
  env: Env;
  /** Every structured log line the bot wrote, parsed. */
  logs: any[];
  /** Errors that escaped to `unhandledRejection` while the harness ran. */
  unhandled: unknown[];
  /** Resolves once the bot has finished with an interaction or message (its log line is out). */
  handled(what: { id: string }, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export async function startHarness(
  litbot: Litbot,
  vars: Record<string, string> = {},
  options: { streamEditIntervalMs?: number; fake?: FakeDiscordOptions; collection?: (env: Env, logger: Logger) => CollectionEditor } = {},
): Promise<Harness> {
  const fake = await FakeDiscord.start(options.fake);
  const dir = mkdtempSync(join(tmpdir(), 'litbot-discord-'));
  const env = loadConfig({
    DISCORD_TOKEN: TEST_TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_URL: fake.apiUrl,
    FEEDBACK_FILE: join(dir, 'feedback.jsonl'),
    LOG_LEVEL: 'info',
    ...vars,
  });
  const logs: any[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const logger = createLogger(env, sink);
  const bot = await startBot({
    env,
    litbot,
    logger,
    // Fail fast against a broken fake instead of retrying for a minute.
    clientOptions: { rest: { globalRequestsPerSecond: 1e5, timeout: 2_000, retries: 0 } },
    streamEditIntervalMs: options.streamEditIntervalMs,
    collection: options.collection?.(env, logger),
  });
  return {
    fake,
    bot,
    env,
    logs,
    unhandled,
    async handled(what, timeoutMs) {
      await waitUntil(() => logs.some((l) => l.id === what.id), timeoutMs);
      return logs.find((l) => l.id === what.id);
    },
    async stop() {
      await bot.stop();
      await fake.close();
      process.off('unhandledRejection', onUnhandled);
    },
  };
}

/** String option of a slash command. */
export const str = (name: string, value: string, focused?: boolean) => ({ name, type: 3, value, ...(focused ? { focused } : {}) });
/** Boolean option of a slash command. */
export const bool = (name: string, value: boolean) => ({ name, type: 5, value });

/** The message bodies among the recorded requests: callbacks that carry a message, sends and edits. */
export function messageBodies(requests: { method: string; path: string; body: any }[]): any[] {
  return requests
    .map((r) => (r.path.endsWith('/callback') ? ([4, 7].includes(r.body?.type) ? r.body.data : undefined) : r.method === 'POST' || r.method === 'PATCH' ? r.body : undefined))
    .filter((b) => b && (b.content !== undefined || b.embeds !== undefined));
}

/** What every message body must carry so that nobody is ever pinged. */
export const NO_PINGS = { parse: [], replied_user: false };

/** The Markdown link the bot writes for a paper (brackets escaped, parentheses encoded). */
export function mdLink(title: string, url: string): string {
  return `[${title.replace(/\s+/g, ' ').replace(/([\[\]\\*_~`|])/g, '\\$1')}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\s/g, '%20')})`;
}

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The discord.js client, built in one place so every caller gets the same minimal intents, the
 * no-pings default and the REST base URL from `DISCORD_API_URL`.
 */
import { Client, GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';
import type { Env } from '../config/env.js';
import { NO_MENTIONS } from './format.js';

/**
 * The gateway intents Litbot needs, and why:
 * - `Guilds`: the channel and thread cache that interactions and threads rely on.
 * - `GuildMessages`: to see `@Litbot` mentions and messages in the threads it started.
 * - `DirectMessages`: questions sent in DMs.
 * - `MessageContent` (privileged): to read follow-ups in its threads that do not mention it.
 *   Discord gives a bot the content of messages that mention it and of DMs without this intent,
 *   so without it everything works except un-mentioned follow-ups in threads.
 */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
] as const;

/** Client options for `env`: REST base URL, intents, partials, and `allowedMentions` off. */
export function clientOptions(env: Pick<Env, 'DISCORD_API_URL'>, overrides: Partial<ClientOptions> = {}): ClientOptions {
  return {
    intents: [...INTENTS],
    // DM channels are not cached until used; without this partial discord.js drops DM messages.
    partials: [Partials.Channel],
    allowedMentions: NO_MENTIONS,
    ...overrides,
    rest: { ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}), ...overrides.rest },
  };
}

/** A client for `env` (not logged in). */
export function createClient(env: Pick<Env, 'DISCORD_API_URL'>, overrides: Partial<ClientOptions> = {}): Client {
  return new Client(clientOptions(env, overrides));
}

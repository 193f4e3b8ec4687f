/**
 * The discord.js client, built in one place so every caller gets the same minimal intents, the
 * no-pings default and the REST base URL from `DISCORD_API_URL`; and the one place that turns a
 * failed login into a line that names the fix.
 */
import { Client, GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';
import type { Env } from '../config/env.js';
import { NO_MENTIONS } from './format.js';

/**
 * The gateway intents Litbot needs, and why:
 * - `Guilds`: the channel and thread cache that interactions and threads rely on.
 * - `GuildMessages`: to see `@Litbot` mentions and messages in the threads it started.
 * - `DirectMessages`: questions sent in DMs.
 */
export const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages] as const;

/**
 * The intents for `env`: `INTENTS`, plus the privileged `MessageContent` when
 * `DISCORD_MESSAGE_CONTENT` is on. Discord gives a bot the content of messages that mention it and
 * of DMs without that intent, so it is needed only for follow-ups in Litbot's threads that do not
 * mention it; and Discord refuses the whole login (close code 4014) when the bot asks for it
 * without the owner having switched it on in the Developer Portal, so it is off by default.
 */
export function intentsFor(env: Pick<Env, 'DISCORD_MESSAGE_CONTENT'>): GatewayIntentBits[] {
  return env.DISCORD_MESSAGE_CONTENT ? [...INTENTS, GatewayIntentBits.MessageContent] : [...INTENTS];
}

/** Client options for `env`: REST base URL, intents, partials, and `allowedMentions` off. */
export function clientOptions(env: Pick<Env, 'DISCORD_API_URL' | 'DISCORD_MESSAGE_CONTENT'>, overrides: Partial<ClientOptions> = {}): ClientOptions {
  return {
    intents: intentsFor(env),
    // DM channels are not cached until used; without this partial discord.js drops DM messages.
    partials: [Partials.Channel],
    allowedMentions: NO_MENTIONS,
    ...overrides,
    rest: { ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}), ...overrides.rest },
  };
}

/** A client for `env` (not logged in). */
export function createClient(env: Pick<Env, 'DISCORD_API_URL' | 'DISCORD_MESSAGE_CONTENT'>, overrides: Partial<ClientOptions> = {}): Client {
  return new Client(clientOptions(env, overrides));
}

/**
 * The permissions the invite asks for (their sum): Send Messages (2048), Send Messages in Threads
 * (274877906944), Create Public Threads (34359738368), Embed Links (16384), Read Message History (65536).
 */
export const INVITE_PERMISSIONS = '309237729280';

/** The link that adds the bot, with its slash commands, to a server. */
export function inviteUrl(clientId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${clientId}&scope=bot%20applications.commands&permissions=${INVITE_PERMISSIONS}`;
}

/** Network failures that mean Discord (or the configured proxy) could not be reached at all. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One line that says why the login failed and what fixes it, for the failures an owner can fix:
 * the Message Content intent refused (gateway close code 4014), a bad token (REST 401 or gateway
 * 4004), and Discord out of reach. Undefined for anything else, which is then reported as it is.
 */
export function explainLoginError(
  error: unknown,
  env: Pick<Env, 'DISCORD_CLIENT_ID' | 'DISCORD_API_URL' | 'DISCORD_MESSAGE_CONTENT'>,
): { message: string; retryable: boolean } | undefined {
  const err = error as { message?: string; code?: unknown; cause?: { code?: unknown } } | undefined;
  const text = err?.message ?? String(error);
  const portal = `https://discord.com/developers/applications${env.DISCORD_CLIENT_ID ? `/${env.DISCORD_CLIENT_ID}/bot` : ''}`;
  if (/disallowed intents/i.test(text)) {
    const message = env.DISCORD_MESSAGE_CONTENT
      ? `Discord refused the login (close code 4014, disallowed intents): DISCORD_MESSAGE_CONTENT=true asks for the Message Content intent, which is not switched on for this bot. Switch on "Message Content Intent" under Privileged Gateway Intents at ${portal}, or set DISCORD_MESSAGE_CONTENT=false (follow-ups in threads then need a mention).`
      : `Discord refused the login (close code 4014, disallowed intents): switch on the privileged intents this bot asks for at ${portal}.`;
    return { message, retryable: false };
  }
  if (err?.code === 'TokenInvalid' || /authentication failed/i.test(text)) {
    return {
      message: `Discord rejected DISCORD_TOKEN (401 Unauthorized / close code 4004): copy the bot's token again from ${portal} (Reset Token) into DISCORD_TOKEN in .env; the application id alone is not a token.`,
      retryable: false,
    };
  }
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  if (code && UNREACHABLE.has(code)) {
    const where = env.DISCORD_API_URL ?? 'https://discord.com/api';
    return {
      message: `Cannot reach Discord at ${where} (${code}): check this machine's internet connection, DNS, firewall or proxy${env.DISCORD_API_URL ? ', and DISCORD_API_URL' : ''}, then start again.`,
      retryable: true,
    };
  }
  return undefined;
}

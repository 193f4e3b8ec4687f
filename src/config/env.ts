/**
 * The one reader of `process.env`. Parses every variable Litbot knows with a schema, once, and
 * fails with a message that names the variable and how to fix it. `.env.example` mirrors this
 * schema line for line (a test checks that).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import leven from 'leven';
import { z } from 'zod';
import { ConfigError, MissingApiKeyError } from '../errors.js';

/**
 * The longest timeout any setting accepts: 15 minutes, the life of a Discord interaction (a reply
 * cannot be edited after it). Far below the 2^31 - 1 ms Node's timers hold: a larger delay
 * overflows and fires after 1 ms.
 */
export const MAX_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * The one rule for blank values, applied to every variable before the schema reads it:
 * `LLM_TEMPERATURE=` (as `.env.example` leaves many lines) means "not set", so the default
 * applies; other values are trimmed.
 */
export function blankAsUnset(source: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  return out;
}

const int = (min: number, max: number, unit = '') => {
  const error = `must be a whole number from ${min} to ${max}${unit}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const timeoutMs = () => int(100, MAX_TIMEOUT_MS, ` (milliseconds; at most ${MAX_TIMEOUT_MS / 60_000} minutes)`);
const optionalString = z.string().optional();
const optionalUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every variable, its check and its default (blank counts as unset). Keep `.env.example` in step. */
export const envSchema = z.object({
  CORPUS_DIR: z.string().default('seeds'),
  INDEX_DIR: z.string().default('index'),
  CACHE_DIR: z.string().default('.cache'),
  VECTOR_STORE: z.enum(['hnswlib', 'pgvector']).default('hnswlib'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  INDEX_POLL_MS: int(100, 600_000, ' (milliseconds)').default(2_000),
  EMBEDDINGS: z
    .string()
    .default('use-lite')
    .refine((v) => /^(use-lite|transformers:.+|openai:.+|ollama:.+)$/.test(v), {
      message: 'must be use-lite, transformers:<model-id or folder>, openai:<model> or ollama:<model>',
    }),
  EMBEDDINGS_BASE_URL: optionalUrl,
  EMBEDDINGS_API_KEY: optionalString,
  HF_CACHE_DIR: optionalString,
  HF_OFFLINE: bool,
  // groq and mistralai work once their @langchain package is installed (docs/llm-providers.md).
  LLM_PROVIDER: z.enum(['extractive', 'openai', 'ollama', 'anthropic', 'groq', 'mistralai']).default('extractive'),
  LLM_MODEL: optionalString,
  LLM_BASE_URL: optionalUrl,
  LLM_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  LLM_TEMPERATURE: z.coerce
    .number({ error: 'must be a number from 0 to 2' })
    .min(0, { error: 'must be a number from 0 to 2' })
    .max(2, { error: 'must be a number from 0 to 2' })
    .default(0.2),
  LLM_MAX_TOKENS: int(16, 32_000).default(800),
  LLM_TIMEOUT_MS: timeoutMs().default(30_000),
  LLM_MAX_RETRIES: int(0, 10).default(2),
  LLM_MAX_CONCURRENCY: int(1, 256).default(4),
  LLM_QUEUE_TIMEOUT_MS: timeoutMs().default(60_000),
  DISCORD_TOKEN: optionalString,
  DISCORD_CLIENT_ID: z
    .string()
    .regex(/^\d{5,25}$/, 'must be the numeric application id')
    .optional(),
  DISCORD_GUILD_ID: z
    .string()
    .regex(/^\d{5,25}$/, 'must be a numeric server id')
    .optional(),
  DISCORD_API_URL: optionalUrl,
  // Privileged: Discord refuses the login unless it is also switched on in the Developer Portal.
  DISCORD_MESSAGE_CONTENT: bool,
  RATE_LIMIT_COUNT: int(1, 10_000).default(5),
  RATE_LIMIT_WINDOW_S: int(1, 86_400, ' (seconds; at most a day)').default(60),
  FEEDBACK_FILE: z.string().default('.cache/feedback.jsonl'),
  LIBRARIAN_ROLE_ID: z
    .string()
    .regex(/^\d{5,25}$/, 'must be a numeric role id (Server Settings > Roles > Copy Role ID)')
    .optional(),
  ARXIV_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://export.arxiv.org/api/query'),
  ARXIV_TIMEOUT_MS: int(100, 120_000, ' (milliseconds)').default(10_000),
  SHARDS: z
    .string()
    .default('')
    .refine((v) => v === '' || v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1_000), { message: 'must be empty, auto or a number from 1 to 1000' }),
  SHUTDOWN_GRACE_MS: int(0, 600_000, ' (milliseconds; at most 10 minutes)').default(10_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Variables that hold secrets; their values are scrubbed from logs. */
export const SECRET_VARIABLES = ['DISCORD_TOKEN', 'LLM_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'EMBEDDINGS_API_KEY', 'DATABASE_URL'] as const;

let loadedDotEnv = false;

/** Prefixes of Litbot's own variables: an unknown name with one of them is a mistake. */
const OWN_PREFIXES = /^(?:LITBOT|LLM|DISCORD|EMBEDDINGS)_/;

/**
 * One warning per variable in `names` (the keys of a `.env` file) that Litbot does not know but
 * that looks meant for it: close to a known name ("LLM_PROVDER: did you mean LLM_PROVIDER?"),
 * or carrying one of its prefixes.
 */
export function unknownVariableWarnings(names: string[]): string[] {
  const known = Object.keys(envSchema.shape);
  const warnings: string[] = [];
  for (const name of names) {
    if (known.includes(name)) continue;
    const [best] = known.map((k) => ({ k, d: leven(name, k) })).sort((a, b) => a.d - b.d);
    // Two edits, fewer for short names: close enough to be a typo, too far to be another program's setting.
    if (best && best.d <= Math.min(2, Math.floor(name.length / 4))) warnings.push(`${name}: did you mean ${best.k}? (${name} is not a Litbot setting; it is ignored)`);
    else if (OWN_PREFIXES.test(name)) warnings.push(`${name} is not a Litbot setting; it is ignored (see .env.example for the list)`);
  }
  return warnings;
}

/**
 * Reads `.env` (when present) into the process environment, then parses it; names in `.env` that
 * look like misspelt settings get a one-line warning on stderr. Pass `source` to parse something
 * else (tests do).
 */
export function loadConfig(source?: Record<string, string | undefined>): Env {
  if (!source) {
    if (!loadedDotEnv && existsSync('.env')) {
      for (const warning of unknownVariableWarnings(Object.keys(parseEnv(readFileSync('.env', 'utf8'))))) process.stderr.write(`Warning: .env: ${warning}\n`);
      process.loadEnvFile('.env');
    }
    loadedDotEnv = true;
  }
  const result = envSchema.safeParse(blankAsUnset(source ?? process.env));
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nFix it in .env or the environment (see .env.example).`);
  }
  return result.data;
}

/** The LLM API key: `LLM_API_KEY`, else the provider's usual variable. Throws naming both. */
export function resolveLlmApiKey(env: Env): string | undefined {
  const provider = env.LLM_PROVIDER;
  if (provider === 'openai') {
    const key = env.LLM_API_KEY ?? env.OPENAI_API_KEY;
    // Local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) accept any key.
    if (!key && !env.LLM_BASE_URL) throw new MissingApiKeyError('LLM_PROVIDER=openai', ['LLM_API_KEY', 'OPENAI_API_KEY']);
    return key ?? 'not-needed';
  }
  if (provider === 'anthropic') {
    const key = env.LLM_API_KEY ?? env.ANTHROPIC_API_KEY;
    if (!key) throw new MissingApiKeyError('LLM_PROVIDER=anthropic', ['LLM_API_KEY', 'ANTHROPIC_API_KEY']);
    return key;
  }
  // Only LLM_API_KEY, not the clients' own GROQ_API_KEY etc.: a key Litbot knows is scrubbed from its logs.
  if (provider === 'groq' || provider === 'mistralai') {
    if (!env.LLM_API_KEY) throw new MissingApiKeyError(`LLM_PROVIDER=${provider}`, ['LLM_API_KEY']);
    return env.LLM_API_KEY;
  }
  return env.LLM_API_KEY;
}

/** The Discord settings `npm start` needs; throws naming each missing variable. */
export function requireDiscord(env: Env): { token: string; clientId: string; guildId?: string; apiUrl?: string } {
  const missing = (['DISCORD_TOKEN', 'DISCORD_CLIENT_ID'] as const).filter((k) => !env[k]);
  if (missing.length) {
    throw new ConfigError(
      `Missing ${missing.join(' and ')}: set ${missing.length > 1 ? 'them' : 'it'} in .env ` +
        `(the bot token and application id from https://discord.com/developers/applications; see README).`,
    );
  }
  return { token: env.DISCORD_TOKEN!, clientId: env.DISCORD_CLIENT_ID!, guildId: env.DISCORD_GUILD_ID, apiUrl: env.DISCORD_API_URL };
}

/** Replaces every secret value found in `text` with `[redacted]`. */
export function scrubSecrets(text: string, env: Partial<Env>): string {
  let out = text;
  for (const key of SECRET_VARIABLES) {
    const value = env[key];
    if (typeof value === 'string' && value.length >= 6) out = out.split(value).join('[redacted]');
  }
  // Discord bot tokens have a recognisable shape even when they are not ours.
  return out.replace(/[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}/g, '[redacted]');
}

/**
 * The one reader of `process.env`. Parses every variable Litbot knows with a schema, once, and
 * fails with a message that names the variable and how to fix it. `.env.example` mirrors this
 * schema line for line (a test checks that).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, MissingApiKeyError } from '../errors.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const optionalUrl = optionalString.pipe(z.url().optional());
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every variable, its default and its check. Keep `.env.example` in step. */
export const envSchema = z.object({
  CORPUS_DIR: z.string().default('seeds'),
  INDEX_DIR: z.string().default('index'),
  CACHE_DIR: z.string().default('.cache'),
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
  LLM_PROVIDER: z.enum(['extractive', 'openai', 'ollama', 'anthropic']).default('extractive'),
  LLM_MODEL: optionalString,
  LLM_BASE_URL: optionalUrl,
  LLM_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.2),
  LLM_MAX_TOKENS: int(16, 32_000).default(800),
  LLM_TIMEOUT_MS: int(100).default(30_000),
  LLM_MAX_RETRIES: int(0, 10).default(2),
  LLM_MAX_CONCURRENCY: int(1, 256).default(4),
  LLM_QUEUE_TIMEOUT_MS: int(100).default(60_000),
  DISCORD_TOKEN: optionalString,
  DISCORD_CLIENT_ID: optionalString.pipe(z.string().regex(/^\d{5,25}$/, 'must be the numeric application id').optional()),
  DISCORD_GUILD_ID: optionalString.pipe(z.string().regex(/^\d{5,25}$/, 'must be a numeric server id').optional()),
  DISCORD_API_URL: optionalUrl,
  // Privileged: Discord refuses the login unless it is also switched on in the Developer Portal.
  DISCORD_MESSAGE_CONTENT: bool,
  RATE_LIMIT_COUNT: int(1).default(5),
  RATE_LIMIT_WINDOW_S: int(1).default(60),
  FEEDBACK_FILE: z.string().default('.cache/feedback.jsonl'),
  SHARDS: z
    .string()
    .default('')
    .refine((v) => v === '' || v === 'auto' || /^\d+$/.test(v), { message: 'must be empty, auto or a number' }),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Variables that hold secrets; their values are scrubbed from logs. */
export const SECRET_VARIABLES = ['DISCORD_TOKEN', 'LLM_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'EMBEDDINGS_API_KEY'] as const;

let loadedDotEnv = false;

/**
 * Reads `.env` (when present) into the process environment, then parses it. Pass `source` to
 * parse something else (tests do).
 */
export function loadConfig(source?: Record<string, string | undefined>): Env {
  if (!source) {
    if (!loadedDotEnv && existsSync('.env')) process.loadEnvFile('.env');
    loadedDotEnv = true;
  }
  const result = envSchema.safeParse(source ?? process.env);
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

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig, MAX_TIMEOUT_MS, requireDiscord, resolveLlmApiKey, scrubSecrets, unknownVariableWarnings } from '../src/config/env.js';
import { ConfigError, MissingApiKeyError } from '../src/errors.js';

function exampleEntries(): Record<string, string> {
  const lines = readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('configuration', () => {
  it('has .env.example list exactly the variables of the schema', () => {
    expect(Object.keys(exampleEntries()).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('has .env.example show each default the schema applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(exampleEntries())) {
      const parsed = loadConfig({ [key]: value }) as Record<string, unknown>;
      expect(parsed[key], key).toEqual(defaults[key]);
    }
  });

  it('names the variable and the fix for an invalid value', () => {
    expect(() => loadConfig({ LLM_PROVIDER: 'gpt' })).toThrow(ConfigError);
    expect(() => loadConfig({ LLM_PROVIDER: 'gpt' })).toThrow(/LLM_PROVIDER.*\n.*\.env\.example/s);
    expect(() => loadConfig({ EMBEDDINGS: 'bert' })).toThrow(/EMBEDDINGS: must be use-lite/);
    expect(() => loadConfig({ DISCORD_CLIENT_ID: 'abc' })).toThrow(/DISCORD_CLIENT_ID: must be the numeric application id/);
    expect(() => loadConfig({ LLM_TIMEOUT_MS: 'soon' })).toThrow(/LLM_TIMEOUT_MS/);
  });

  it('names the key variables when a provider has no key', () => {
    expect(() => resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'anthropic' }))).toThrow(MissingApiKeyError);
    expect(() => resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'openai' }))).toThrow(/LLM_API_KEY or OPENAI_API_KEY/);
    expect(resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' }))).toBe('sk-test');
    // Local OpenAI-compatible servers need no key.
    expect(resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:8080/v1' }))).toBe('not-needed');
    // Providers added through initChatModel take the key from LLM_API_KEY only, the one Litbot scrubs from its logs.
    expect(() => resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'groq', GROQ_API_KEY: 'gsk-test' }))).toThrow('No API key for LLM_PROVIDER=groq: set LLM_API_KEY (see .env.example).');
    expect(resolveLlmApiKey(loadConfig({ LLM_PROVIDER: 'mistralai', LLM_API_KEY: 'mistral-test' }))).toBe('mistral-test');
  });

  it('names missing Discord variables', () => {
    expect(() => requireDiscord(loadConfig({}))).toThrow(/Missing DISCORD_TOKEN and DISCORD_CLIENT_ID/);
    expect(() => requireDiscord(loadConfig({ DISCORD_TOKEN: 'x' }))).toThrow(/Missing DISCORD_CLIENT_ID: set it/);
  });

  it('scrubs configured secrets and anything shaped like a bot token', () => {
    const env = loadConfig({ LLM_API_KEY: 'sk-secret-123456' });
    const token = `MTA${'x'.repeat(23)}.Gabcde.${'y'.repeat(30)}`;
    expect(scrubSecrets(`key sk-secret-123456 and ${token}`, env)).toBe('key [redacted] and [redacted]');
  });

  it('rejects timeouts past the documented maximum, which stays far below what a Node timer holds', () => {
    expect(MAX_TIMEOUT_MS).toBe(900_000);
    expect(MAX_TIMEOUT_MS).toBeLessThan(2 ** 31 - 1);
    for (const key of ['LLM_TIMEOUT_MS', 'LLM_QUEUE_TIMEOUT_MS']) {
      expect(() => loadConfig({ [key]: '99999999999' }), key).toThrow(new RegExp(`${key}: must be a whole number from 100 to 900000 \\(milliseconds; at most 15 minutes\\)`));
      expect(() => loadConfig({ [key]: '900001' }), key).toThrow(ConfigError);
      expect((loadConfig({ [key]: '900000' }) as Record<string, unknown>)[key]).toBe(900_000);
    }
  });

  it('bounds every numeric variable and names it when a value is out of range', () => {
    const bad: Record<string, string[]> = {
      LLM_TEMPERATURE: ['-0.1', '2.5', 'hot'],
      LLM_MAX_TOKENS: ['15', '32001', '1e9'],
      LLM_MAX_RETRIES: ['-1', '11'],
      LLM_MAX_CONCURRENCY: ['0', '257'],
      RATE_LIMIT_COUNT: ['0', '10001', '2.5'],
      RATE_LIMIT_WINDOW_S: ['0', '86401'],
      SHARDS: ['0', '1001', 'many'],
    };
    for (const [key, values] of Object.entries(bad)) {
      for (const value of values) expect(() => loadConfig({ [key]: value }), `${key}=${value}`).toThrow(new RegExp(`^Invalid configuration:\\n  ${key}: must be`));
    }
  });

  it('treats a blank or all-space value as unset for every variable, so its default applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const key of Object.keys(envSchema.shape)) {
      expect((loadConfig({ [key]: '' }) as Record<string, unknown>)[key], key).toEqual(defaults[key]);
      expect((loadConfig({ [key]: '   ' }) as Record<string, unknown>)[key], key).toEqual(defaults[key]);
    }
    expect(loadConfig({ LLM_TEMPERATURE: '', RATE_LIMIT_COUNT: '', INDEX_DIR: '' })).toMatchObject({ LLM_TEMPERATURE: 0.2, RATE_LIMIT_COUNT: 5, INDEX_DIR: 'index' });
    expect(loadConfig({ LLM_PROVIDER: ' openai ', LLM_BASE_URL: 'http://127.0.0.1:8080/v1 ' })).toMatchObject({ LLM_PROVIDER: 'openai', LLM_BASE_URL: 'http://127.0.0.1:8080/v1' });
  });

  it('suggests the known name for a misspelt variable and flags unknown Litbot-prefixed ones', () => {
    expect(unknownVariableWarnings(['LLM_PROVDER', 'DISCORD_TOKN', 'EMBEDINGS', 'LITBOT_MODE', 'LLM_FOO', 'DISCORD_PREFIX', 'PATH', 'NODE_ENV', 'LLM_PROVIDER', 'HOME'])).toEqual([
      'LLM_PROVDER: did you mean LLM_PROVIDER? (LLM_PROVDER is not a Litbot setting; it is ignored)',
      'DISCORD_TOKN: did you mean DISCORD_TOKEN? (DISCORD_TOKN is not a Litbot setting; it is ignored)',
      'EMBEDINGS: did you mean EMBEDDINGS? (EMBEDINGS is not a Litbot setting; it is ignored)',
      'LITBOT_MODE is not a Litbot setting; it is ignored (see .env.example for the list)',
      'LLM_FOO is not a Litbot setting; it is ignored (see .env.example for the list)',
      'DISCORD_PREFIX is not a Litbot setting; it is ignored (see .env.example for the list)',
    ]);
  });

  it('reads .env with blank values as unset and warns once on stderr about a misspelt name, without stopping', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'litbot-env-'));
    writeFileSync(join(cwd, '.env'), 'LLM_PROVDER=openai\nLLM_TEMPERATURE=\nRATE_LIMIT_COUNT=\nINDEX_DIR=\nLLM_TIMEOUT_MS=45000\n');
    const script = `
      const { loadConfig } = await import(${JSON.stringify(new URL('../src/config/env.ts', import.meta.url).href)});
      const env = loadConfig();
      loadConfig();
      console.log(JSON.stringify([env.LLM_PROVIDER, env.LLM_TEMPERATURE, env.RATE_LIMIT_COUNT, env.INDEX_DIR, env.LLM_TIMEOUT_MS]));`;
    const result = spawnSync(process.execPath, ['--import', new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href, '--input-type=module', '-e', script], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['extractive', 0.2, 5, 'index', 45_000]);
    expect(result.stderr).toBe('Warning: .env: LLM_PROVDER: did you mean LLM_PROVIDER? (LLM_PROVDER is not a Litbot setting; it is ignored)\n');
  }, 70_000);
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig, requireDiscord, resolveLlmApiKey, scrubSecrets } from '../src/config/env.js';
import { ConfigError, MissingApiKeyError } from '../src/errors.js';

function exampleEntries(): Record<string, string> {
  const lines = readFileSync('.env.example', 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l));
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
});

/** Structured JSON logs on standard error (standard output stays for results), with secrets redacted. */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Env } from './env.js';
import { scrubSecrets } from './env.js';

/** A logger for `env`; `destination` (default: standard error) lets tests read the lines. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'> & Partial<Env>, destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level: env.LOG_LEVEL,
      redact: { paths: ['token', '*.token', 'apiKey', '*.apiKey', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
      hooks: {
        // Catch secrets that end up inside messages or error strings, not just known fields.
        streamWrite: (line) => scrubSecrets(line, env),
      },
    },
    destination,
  );
}

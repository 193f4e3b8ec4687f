/** A real pino logger (the app's own `createLogger`, secrets scrubbed) whose JSON lines a test can read. */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Env } from '../../src/config/env.js';
import { createLogger } from '../../src/config/logger.js';

export function capturedLogger(env: Partial<Env> & Pick<Env, 'LOG_LEVEL'>): { logger: Logger; lines: any[]; raw: string[] } {
  const lines: any[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger(env, sink), lines, raw };
}

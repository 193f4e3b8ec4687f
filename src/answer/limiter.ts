/**
 * A small counting semaphore that caps concurrent LLM calls across the process; callers wait in a
 * queue, and a caller that waits too long gets a `BusyError` rather than hanging.
 */
import { BusyError } from '../errors.js';

export interface Limiter {
  /** Runs `task` when a slot is free. Rejects with `BusyError` when the wait exceeds the queue timeout. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

/** A limiter allowing `max` tasks at once; tasks wait at most `queueTimeoutMs` for a slot. */
export function createLimiter(max: number, queueTimeoutMs: number): Limiter {
  let active = 0;
  const queue: { start: () => void; fail: (error: Error) => void }[] = [];

  const release = () => {
    active--;
    const next = queue.shift();
    if (next) next.start();
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (active >= max) {
        await new Promise<void>((resolve, reject) => {
          const entry = {
            start: () => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', onAbort);
              active++;
              resolve();
            },
            fail: reject,
          };
          const leave = (error: Error) => {
            const i = queue.indexOf(entry);
            if (i >= 0) queue.splice(i, 1);
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          };
          const onAbort = () => leave(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
          const timer = setTimeout(() => leave(new BusyError(queueTimeoutMs)), queueTimeoutMs);
          signal?.addEventListener('abort', onAbort, { once: true });
          queue.push(entry);
        });
      } else active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

const shared = new Map<string, Limiter>();

/** The process-wide limiter for these settings: every answerer with the same settings shares it. */
export function sharedLlmLimiter(settings: { LLM_MAX_CONCURRENCY: number; LLM_QUEUE_TIMEOUT_MS: number }): Limiter {
  const key = `${settings.LLM_MAX_CONCURRENCY}/${settings.LLM_QUEUE_TIMEOUT_MS}`;
  let limiter = shared.get(key);
  if (!limiter) shared.set(key, (limiter = createLimiter(settings.LLM_MAX_CONCURRENCY, settings.LLM_QUEUE_TIMEOUT_MS)));
  return limiter;
}

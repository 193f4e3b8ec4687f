import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/answer/limiter.js';
import { BusyError } from '../src/errors.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('createLimiter', () => {
  it('runs at most the allowed number of tasks at once, in arrival order', async () => {
    const limiter = createLimiter(2, 5_000);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) => limiter.run(async () => (started.push(i), g.promise)));
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([0, 1]);
    expect(limiter.waiting).toBe(1);
    gates[0].resolve();
    await runs[0];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    await Promise.all(runs);
    expect(limiter.active).toBe(0);
  });

  it('gives up with BusyError when no slot frees within the queue timeout', async () => {
    const limiter = createLimiter(1, 50);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    await expect(limiter.run(async () => 'never')).rejects.toBeInstanceOf(BusyError);
    expect(limiter.waiting).toBe(0);
    gate.resolve();
    await first;
  });

  it('frees the slot when a task fails', async () => {
    const limiter = createLimiter(1, 1_000);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'ok')).resolves.toBe('ok');
  });
});

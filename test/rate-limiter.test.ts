import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/discord/rate-limiter.js';
import { RateLimitedError } from '../src/errors.js';

describe('RateLimiter', () => {
  it('allows the configured count per window, then says how many seconds to wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60, () => now);
    limiter.take('u1');
    now += 10_000;
    limiter.take('u1');
    now += 5_000;
    const error = (() => {
      try {
        limiter.take('u1');
      } catch (e) {
        return e;
      }
    })() as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterS).toBe(45);
    expect(error.message).toBe('Slow down: try again in 45 s.');
    // Other users have their own budget.
    expect(() => limiter.take('u2')).not.toThrow();
  });

  it('lets the user in again once the oldest request leaves the window', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 30, () => now);
    limiter.take('u');
    now = 29_999;
    expect(() => limiter.take('u')).toThrow(RateLimitedError);
    now = 30_000;
    expect(() => limiter.take('u')).not.toThrow();
  });
});

/** A per-user sliding-window rate limit: at most `count` requests in any `windowS` seconds. */
import { RateLimitedError } from '../errors.js';

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly count: number,
    readonly windowS: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; throws `RateLimitedError` (with the seconds to wait) when over. */
  take(key: string): void {
    const now = this.now();
    const windowMs = this.windowS * 1000;
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= this.count) {
      this.hits.set(key, recent);
      throw new RateLimitedError(Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000)));
    }
    recent.push(now);
    this.hits.set(key, recent);
    // Forget idle users now and then so the map does not grow with every user ever seen.
    if (this.hits.size > 10_000) {
      for (const [k, times] of this.hits) if (now - times[times.length - 1] >= windowMs) this.hits.delete(k);
    }
  }
}

/**
 * Keeps acknowledgements ahead of answers. Discord gives an interaction 3 s to be acknowledged;
 * answering is CPU work (embedding the question, ranking, composing) that blocks the event loop
 * in slices. When a burst of questions arrives, answering the first ones while the others' deferrals
 * are still on the wire delays those deferrals by whole answers. So slow work first waits, briefly,
 * until no deferral is in flight.
 */
export class AckTracker {
  private pending = 0;
  private waiters: (() => void)[] = [];

  /** Acknowledgements in flight. */
  get inFlight(): number {
    return this.pending;
  }

  /** Counts `ack` (a `deferReply()` and the like) as in flight until it settles. */
  async track<T>(ack: Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await ack;
    } finally {
      this.pending--;
      if (this.pending === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Resolves when no acknowledgement is in flight, or after `maxWaitMs` at most. */
  settled(maxWaitMs = 1_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

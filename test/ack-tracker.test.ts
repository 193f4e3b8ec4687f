import { describe, expect, it } from 'vitest';
import { AckTracker } from '../src/discord/ack-tracker.js';

describe('AckTracker', () => {
  it('holds slow work until every acknowledgement in flight has settled', async () => {
    const acks = new AckTracker();
    const order: string[] = [];
    let release!: () => void;
    const slowAck = new Promise<void>((r) => (release = r));
    void acks.track(slowAck);
    const work = acks.settled(5_000).then(() => order.push(`work started with ${acks.inFlight} in flight`));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await work;
    expect(order).toEqual(['work started with 0 in flight']);
  });

  it('stops waiting after the maximum wait', async () => {
    const acks = new AckTracker();
    void acks.track(new Promise(() => {}));
    await acks.settled(30);
    expect(acks.inFlight).toBe(1);
  });

  it('counts a failed acknowledgement as settled', async () => {
    const acks = new AckTracker();
    await expect(acks.track(Promise.reject(new Error('gone')))).rejects.toThrow('gone');
    expect(acks.inFlight).toBe(0);
    await acks.settled(10);
  });
});

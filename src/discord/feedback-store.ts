/**
 * Helpful / not helpful votes, kept as JSON Lines for later evaluation: one line per voter per
 * answer. A second click by the same user replaces that user's vote instead of adding one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Citation } from '../answer/types.js';

/** One vote on one answer: enough to replay the question and judge the answer later. */
export interface FeedbackRecord {
  /** When the vote was cast or last changed. */
  at: string;
  vote: 'up' | 'down';
  answerId: string;
  /**
   * Who voted, as a hash of the answer id and the user id: enough to keep one vote per user per
   * answer, and not linkable from one answer to the next.
   */
  voter?: string;
  question: string;
  answer: string;
  citations: Citation[];
  backend: string;
  model?: string;
  /** The interaction (click) that cast the vote as it stands. */
  interactionId: string;
}

/** What a click did: a first vote, a changed vote, or the same vote again. */
export type VoteOutcome = 'recorded' | 'changed' | 'unchanged';

/** The `voter` of `userId` on `answerId`. */
export function voterId(answerId: string, userId: string): string {
  return createHash('sha256').update(`${answerId}:${userId}`).digest('hex').slice(0, 16);
}

/** Files written before votes had voters keep one line per click; each counts on its own. */
function keyOf(record: FeedbackRecord): string {
  return `${record.answerId}:${record.voter ?? `interaction-${record.interactionId}`}`;
}

export class FeedbackStore {
  private queue: Promise<unknown> = Promise.resolve();
  private votes: Map<string, FeedbackRecord> | undefined;

  constructor(readonly file: string) {}

  /**
   * Casts `userId`'s vote: the first is recorded, a different one replaces it, the same one again
   * changes nothing. Calls are applied one after another; the file is replaced whole (written
   * beside it, then renamed), so a crash mid-write leaves the previous votes.
   */
  vote(record: Omit<FeedbackRecord, 'voter'>, userId: string): Promise<VoteOutcome> {
    return this.serially(async () => {
      const votes = await this.load();
      const full: FeedbackRecord = { ...record, voter: voterId(record.answerId, userId) };
      const key = keyOf(full);
      const previous = votes.get(key);
      if (previous?.vote === full.vote) return 'unchanged';
      votes.set(key, full);
      try {
        await this.save(votes);
      } catch (error) {
        // Memory keeps agreeing with the file, so the next click tries again.
        if (previous) votes.set(key, previous);
        else votes.delete(key);
        throw error;
      }
      return previous ? 'changed' : 'recorded';
    });
  }

  /** Every vote as it stands, read from the file (an empty list when there is none yet). */
  readAll(): Promise<FeedbackRecord[]> {
    return this.serially(async () => [...(await this.read()).values()]);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Map<string, FeedbackRecord>> {
    this.votes ??= await this.read();
    return this.votes;
  }

  /** The file's votes; a later line for the same voter and answer replaces an earlier one. */
  private async read(): Promise<Map<string, FeedbackRecord>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const votes = new Map<string, FeedbackRecord>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as FeedbackRecord;
      const key = keyOf(record);
      votes.delete(key);
      votes.set(key, record);
    }
    return votes;
  }

  private async save(votes: Map<string, FeedbackRecord>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, [...votes.values()].map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
    await rename(temp, this.file);
  }
}

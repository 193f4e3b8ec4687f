/** Helpful / not helpful votes, appended to a JSON Lines file for later evaluation. */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Citation } from '../answer/types.js';

/** One vote on one answer: enough to replay the question and judge the answer later. */
export interface FeedbackRecord {
  at: string;
  vote: 'up' | 'down';
  answerId: string;
  question: string;
  answer: string;
  citations: Citation[];
  backend: string;
  model?: string;
  /** Where the vote came from (`interaction` ids, not user names). */
  interactionId: string;
}

export class FeedbackStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Appends one record; concurrent calls are written one after another, each on its own line. */
  add(record: FeedbackRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, line, 'utf8');
    });
    return this.writing;
  }

  /** Every record so far (an empty list when the file does not exist yet). */
  async readAll(): Promise<FeedbackRecord[]> {
    await this.writing;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as FeedbackRecord);
  }
}

/**
 * The most recent answers, by a short id the buttons under them carry. Kept in memory: after a
 * restart the buttons of older answers say the answer has expired instead of failing.
 */
import { randomBytes } from 'node:crypto';
import type { AnswerResult, Turn } from '../answer/types.js';
import { UserError } from '../errors.js';

export interface StoredAnswer {
  id: string;
  question: string;
  result: AnswerResult;
  userId: string;
}

export class AnswerStore {
  private readonly answers = new Map<string, StoredAnswer>();
  private readonly conversations = new Map<string, Turn[]>();

  constructor(
    readonly capacity = 2_000,
    /** Turns kept per conversation (thread or DM) as history for follow-ups. */
    readonly turnsKept = 6,
  ) {}

  put(question: string, result: AnswerResult, userId: string): StoredAnswer {
    const id = randomBytes(6).toString('hex');
    const stored = { id, question, result, userId };
    this.answers.set(id, stored);
    evictOldest(this.answers, this.capacity);
    return stored;
  }

  /** The stored answer; throws a `UserError` when it has expired. */
  get(id: string): StoredAnswer {
    const found = this.answers.get(id);
    if (!found) throw new UserError('That answer has expired (Litbot keeps recent answers only); please ask again.');
    return found;
  }

  /** The history of a conversation (a thread or DM channel), oldest first. */
  history(conversationId: string): Turn[] {
    return this.conversations.get(conversationId) ?? [];
  }

  hasConversation(conversationId: string): boolean {
    return this.conversations.has(conversationId);
  }

  addTurn(conversationId: string, turn: Turn): void {
    const turns = [...this.history(conversationId), turn].slice(-this.turnsKept);
    // Re-inserting moves the conversation to the end, so eviction drops the idlest first.
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, turns);
    evictOldest(this.conversations, this.capacity);
  }
}

function evictOldest<K, V>(map: Map<K, V>, capacity: number): void {
  while (map.size > capacity) map.delete(map.keys().next().value as K);
}

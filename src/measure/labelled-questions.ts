/**
 * The labelled question sets (`test/fixtures/questions.json`, `test/fixtures/discord-questions.json`):
 * reading them, their tuning and test parts, and which kinds should be answered or declined.
 * Models are fitted on the tuning part only; the test part is reported, never tuned on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { KeyFact } from './key-facts.js';

export type Split = 'tune' | 'test';

export interface LabelledQuestion {
  id: string;
  question: string;
  /** Papers that answer it (empty for questions the papers do not cover, and for chit-chat). */
  relevant: string[];
  /** answerable, multi-paper, vague, chit-chat, out-of-corpus / off-topic, false-premise. */
  kind: string;
  split?: Split;
  /** Written to check the old decline rule after it was calibrated on the others. */
  heldOut?: boolean;
  /** Key facts of the gold answer, when given. */
  facts?: KeyFact[];
}

/** A conversation: each turn with the papers a reply to it should cite (none after off-topic or chit-chat). */
export interface Conversation {
  id: string;
  turns: { question: string; relevant: string[] }[];
  split?: Split;
}

/** Kinds the bot should answer (citing a relevant paper). */
export const ANSWER_KINDS = new Set(['answerable', 'multi-paper', 'vague']);
/** Kinds the bot should decline. */
export const DECLINE_KINDS = new Set(['out-of-corpus', 'off-topic']);

/** A labelled set as stored: an array of questions, or `{ questions, conversations }`. */
function readSet(file: string): unknown {
  if (!existsSync(file)) throw new UserError(`No question set at ${file}.`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** A question set's questions; a conversation set's entries that are not questions are left out. */
export function loadQuestions(file: string): LabelledQuestion[] {
  const raw = readSet(file);
  const list = Array.isArray(raw) ? raw : ((raw as { questions?: unknown[] }).questions ?? []);
  return (list as Partial<LabelledQuestion>[])
    .filter((q) => typeof q.question === 'string')
    .map((q, i) => ({ ...q, id: q.id ?? `#${i + 1}`, relevant: q.relevant ?? [], kind: q.kind ?? 'answerable' }) as LabelledQuestion);
}

/** A set's conversations (none in a plain array of questions). */
export function loadConversations(file: string): Conversation[] {
  const raw = readSet(file);
  return Array.isArray(raw) ? [] : ((raw as { conversations?: Conversation[] }).conversations ?? []);
}

/** The questions of one part. A set without a split is all tuning data: nothing in it may be reported as test. */
export function part(questions: LabelledQuestion[], split: Split): LabelledQuestion[] {
  return questions.filter((q) => (q.split ?? 'tune') === split);
}

/** Questions whose answer spans several papers: the multi-paper kind, or several relevant papers. */
export function isMultiPaper(q: LabelledQuestion): boolean {
  return q.kind === 'multi-paper' || (ANSWER_KINDS.has(q.kind) && q.relevant.length > 1);
}

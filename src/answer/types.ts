import type { Passage } from '../retrieval/types.js';
import type { Correction } from '../retrieval/spelling.js';

/** A source the answer cites: `[n]` in the text points here. */
export interface Citation {
  n: number;
  paperId: string;
  title: string;
  url: string;
}

/** The passages given to the composer for source `n`, for the "Evidence" view. */
export interface Evidence {
  n: number;
  paperId: string;
  title: string;
  url: string;
  score: number;
  passages: Passage[];
}

/**
 * What shape a reply takes, so each delivery can show it sensibly:
 * - `answer`: quotes or a written answer about one question, citing its papers;
 * - `list`: one line per paper for a "which papers ..." question, each cited;
 * - `overview`: a broad question ("tell me about fine-tuning"): the matching topics, the most
 *   central papers with a line each, and a hint to narrow down;
 * - `smalltalk`: a greeting, thanks or "what can you do?": what Litbot does, citing nothing;
 * - `declined`: the papers do not cover it (`refused` is true).
 */
export type AnswerKind = 'answer' | 'list' | 'overview' | 'smalltalk' | 'declined';

/** One answered question: also what `npm run ask -- --json` prints. */
export interface AnswerResult {
  question: string;
  kind: AnswerKind;
  /** Markdown with `[n]` markers. */
  answer: string;
  /** True when the papers do not cover the question and the answer says so. */
  refused: boolean;
  /** Exactly the sources the answer cites, in order of `n`. */
  citations: Citation[];
  /** All sources offered to the composer (a superset of `citations`). */
  evidence: Evidence[];
  /** When refused: the nearest topics or papers to try instead. */
  suggestions?: { title: string; url?: string }[];
  backend: string;
  model?: string;
  /** Shown to the user, e.g. "The model was unavailable; this is the offline answer." */
  note?: string;
  timings: { retrieveMs: number; composeMs: number; totalMs: number; condenseMs?: number };
  /** With an LLM and history: the standalone question the follow-up was folded into. */
  standaloneQuestion?: string;
  /** When refused: why, in a few words (for logs and the eval); the answer text says it in plain words. */
  declineReason?: string;
  /** The question's words read differently before searching ("droput" as "dropout"), when any. */
  corrections?: Correction[];
  /** With corrections: the words searched for, e.g. "lora dropout overfitting" (shown as "Searched for: ..."). */
  searchedFor?: string;
  usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number };
}

/** One earlier exchange in a conversation. */
export interface Turn {
  question: string;
  answer: AnswerResult;
}

export interface AnswerOptions {
  history?: Turn[];
  /** Called with the text so far as an LLM backend streams it. */
  onToken?: (textSoFar: string) => void;
  signal?: AbortSignal;
}

/**
 * Asking Litbot from Discord: through the bot's answer slots (first come, first answered), with
 * streamed text turned into throttled message edits so a long answer appears as it is written
 * without hitting Discord's rate limits.
 */
import type { AnswerResult, Turn } from '../answer/types.js';
import { UserError } from '../errors.js';
import type { CommandContext } from './command.js';
import { throttledEditor } from './throttled-editor.js';

/** Longest question accepted (the slash option enforces the same). */
export const QUESTION_MAX = 1_000;

/** Checks and tidies a question; throws a `UserError` for an empty or over-long one. */
export function cleanQuestion(text: string): string {
  const question = text.replace(/\s+/g, ' ').trim();
  if (!question) throw new UserError('Ask a question, e.g. "What is catastrophic forgetting?"');
  if (question.length > QUESTION_MAX) throw new UserError(`That question is too long (${question.length} characters; at most ${QUESTION_MAX}).`);
  return question;
}

/** Asks `question`; `onPartial` receives throttled snapshots while an LLM streams. */
export async function askLitbot(
  context: CommandContext,
  question: string,
  options: { history?: Turn[]; onPartial?: (textSoFar: string) => Promise<unknown> } = {},
): Promise<AnswerResult> {
  const editor = options.onPartial ? throttledEditor(options.onPartial, context.streamEditIntervalMs, context.logger) : undefined;
  try {
    return await context.answerSlots.run(async () => {
      // Composing an answer offline is CPU work chained through promises that never wait for I/O,
      // so nothing else (deferrals, sending finished answers) would run until it ends. Yielding a
      // turn of the event loop on each side lets the network catch up between answers.
      await yieldToEventLoop();
      try {
        return await context.litbot.ask(question, { history: options.history, ...(editor ? { onToken: (text: string) => editor.push(text) } : {}) });
      } finally {
        await yieldToEventLoop();
      }
    });
  } finally {
    await editor?.finish();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The custom ids of Litbot's buttons and modals, read strictly. A custom id comes back from the
 * client, so it may be stale (an answer forgotten at a restart) or forged (`topics:page:3:NaN`):
 * anything but the exact shape the bot wrote, or a reference to something it no longer has,
 * becomes `StaleButtonError`, which the error funnel shows privately as the one standard message.
 */
import { UserError } from '../errors.js';

/** What the user sees for any button or modal id Litbot cannot act on. */
export const STALE_BUTTON = 'This button no longer works; please run the command again.';

export class StaleButtonError extends UserError {
  override readonly name = 'StaleButtonError';
  constructor() {
    super(STALE_BUTTON);
  }
}

/** The ids `AnswerStore` hands out: 12 hex digits. */
const ANSWER_ID = /^[0-9a-f]{12}$/;
/** Paper ids are hashes today; this allows any tidy id and no separators. */
const PAPER_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** Non-negative integers without signs, exponents or leading zeros, small enough to be exact. */
const INDEX = /^(?:0|[1-9]\d{0,5})$/;

/** A button under an answer (`ask:feedback:<up|down>:<answerId>`, `ask:evidence:<answerId>`). */
export type AnswerButton = { action: 'feedback'; vote: 'up' | 'down'; answerId: string } | { action: 'evidence'; answerId: string };

export function parseAnswerButton(args: string[]): AnswerButton {
  const [action, ...rest] = args;
  if (action === 'feedback' && rest.length === 2 && (rest[0] === 'up' || rest[0] === 'down') && ANSWER_ID.test(rest[1])) {
    return { action, vote: rest[0], answerId: rest[1] };
  }
  if (action === 'evidence' && rest.length === 1 && ANSWER_ID.test(rest[0])) return { action, answerId: rest[0] };
  throw new StaleButtonError();
}

/** A page button of a topic's paper list (`topics:page:<topicId>:<page>`). */
export function parseTopicPageButton(args: string[]): { topicId: number; page: number } {
  const [action, topicId, page, ...extra] = args;
  if (action !== 'page' || extra.length || topicId === undefined || page === undefined || !INDEX.test(topicId) || !INDEX.test(page)) {
    throw new StaleButtonError();
  }
  return { topicId: Number(topicId), page: Number(page) };
}

/** A button or modal of `/paper` (`paper:<similar|ask>:<paperId>`). */
export function parsePaperButton(args: string[]): { action: 'similar' | 'ask'; paperId: string } {
  const [action, paperId, ...extra] = args;
  if ((action !== 'similar' && action !== 'ask') || extra.length || paperId === undefined || !PAPER_ID.test(paperId)) throw new StaleButtonError();
  return { action, paperId };
}

/**
 * Named errors with a stable `name`, so the CLI and the Discord error funnel can switch on them.
 * Every message says what went wrong and, where there is one, the command or variable that fixes it.
 */

import { displayDir } from './config/paths.js';

/** A mistake in what the user asked for (unknown title, bad `k`): its message is safe to show as is. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** A configuration variable is missing or invalid. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An API key is needed and none is set. */
export class MissingApiKeyError extends ConfigError {
  constructor(
    readonly option: string,
    readonly variables: string[],
  ) {
    super(`No API key for ${option}: set ${variables.join(' or ')} (see .env.example).`);
  }
}

/** One problem found while reading the corpus. */
export interface CorpusIssue {
  file: string;
  /** 1-based line of the block; 0 when the problem is the whole file or folder. */
  line: number;
  reason: string;
}

/** The corpus could not be read as a whole (empty folder, unreadable file, invalid blocks). */
export class CorpusError extends Error {
  override readonly name = 'CorpusError';
  constructor(
    message: string,
    readonly issues: CorpusIssue[] = [],
  ) {
    super(issues.length ? `${message}\n${issues.map(formatIssue).join('\n')}` : message);
  }
}

export function formatIssue(issue: CorpusIssue): string {
  return `  ${issue.line ? `${issue.file}:${issue.line}` : issue.file}: ${issue.reason}`;
}

/** There is no index where one is expected. */
export class IndexNotBuiltError extends Error {
  override readonly name = 'IndexNotBuiltError';
  constructor(readonly dir: string) {
    super(`No index in ${displayDir(dir)}. Build it with: npm run index`);
  }
}

/** The index on disk was built with settings that differ from the current configuration. */
export class IndexMismatchError extends Error {
  override readonly name = 'IndexMismatchError';
  constructor(
    readonly dir: string,
    readonly differences: string[],
  ) {
    super(`The index in ${displayDir(dir)} does not match the configuration (${differences.join('; ')}). ` + `Rebuild it with: npm run index -- --force`);
  }
}

/** An index file is missing, cut short, changed after the build or unreadable; the message names the file and the fix. */
export class IndexDamagedError extends Error {
  override readonly name = 'IndexDamagedError';
  /** `problem` says what is wrong (the message adds the fix: rebuild). */
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${problem} Rebuild the index with: ${REBUILD_INDEX}`);
  }
}

/** The fix every damaged-index message names. */
export const REBUILD_INDEX = 'npm run index -- --force';

/** Another process is building the index, and this one was told not to wait (or waited too long). */
export class IndexBuildRunningError extends Error {
  override readonly name = 'IndexBuildRunningError';
}

/** An LLM or embeddings backend failed after its retries. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A user sent more requests than the per-user rate limit allows; the message says when to retry. */
export class RateLimitedError extends UserError {
  override readonly name = 'RateLimitedError';
  constructor(readonly retryAfterS: number) {
    super(`Slow down: try again in ${retryAfterS} s.`);
  }
}

/** Every LLM slot stayed busy for longer than the queue timeout (`LLM_QUEUE_TIMEOUT_MS`). */
export class BusyError extends UserError {
  override readonly name = 'BusyError';
  constructor(readonly waitedMs: number) {
    super(`Litbot is busy answering other questions; please try again in a minute.`);
  }
}

/** Discord refused the login or could not be reached; the message is one line naming the fix. */
export class DiscordLoginError extends Error {
  override readonly name = 'DiscordLoginError';
  /** True when trying again later may work (Discord out of reach); false for a refused token or intent. */
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

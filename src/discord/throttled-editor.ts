/**
 * Turns a stream of ever-longer texts into message edits Discord will accept: at most one edit
 * per interval, one at a time, always with the latest text.
 */
import type { Logger } from 'pino';

/**
 * Calls `edit` with the latest text at most once per `intervalMs`, one call at a time. Edits
 * that fail are logged and skipped: the final answer replaces them anyway.
 */
export function throttledEditor(edit: (text: string) => Promise<unknown>, intervalMs: number, logger: Logger) {
  let latest: string | undefined;
  let sent: string | undefined;
  let lastAt = 0;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;

  const run = () => {
    timer = undefined;
    if (done || latest === undefined || latest === sent) return;
    const text = latest;
    sent = text;
    lastAt = Date.now();
    inFlight = edit(text)
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ err: error }, 'a streamed edit failed'))
      .finally(() => {
        inFlight = undefined;
        if (!done && latest !== sent) schedule();
      });
  };
  const schedule = () => {
    if (inFlight || timer) return;
    timer = setTimeout(run, Math.max(0, lastAt + intervalMs - Date.now()));
  };

  return {
    push(text: string): void {
      latest = text;
      if (!done) schedule();
    },
    /** Stops editing and waits for an edit in flight, so the final message lands last. */
    async finish(): Promise<void> {
      done = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

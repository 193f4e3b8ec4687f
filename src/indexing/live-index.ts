/**
 * Serves each new index generation without a restart. A build (`npm run index` beside a running
 * bot, or an addition from Discord) writes a complete generation and then swaps the index
 * folder's `CURRENT` pointer with an atomic rename; every long-running process (the bot, each
 * shard, `npm run chat`) watches that pointer and, when it names a new generation, loads it
 * completely beside the one it serves and swaps one reference:
 *
 * - questions in flight finish on the generation they started with (they hold its objects);
 * - new questions get the new one only once it is fully loaded and has answered a warm-up
 *   search, so nothing is answered from a half-loaded index;
 * - a generation that fails to load is logged and ignored, and the old one keeps serving, until
 *   `CURRENT` names yet another generation.
 *
 * The pointer is watched with `fs.watch` (inotify: a swap is seen within milliseconds), events
 * debounced, with a poll every `pollMs` as the fallback for file systems that send no events
 * (network and some container mounts).
 *
 * The pointer need not be a file: with `VECTOR_STORE=pgvector` it is the database's
 * `litbot.current` row (`pointer.read` queries it), which has no events and is polled only.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { errorMessage } from '../errors.js';
import { POINTER, readPointer } from './index-files.js';

/** A loaded generation: its folder name and what was built from it. */
export interface Generation<T> {
  name: string;
  value: T;
}

/** What the watcher did, for the log. */
export type LiveIndexEvent =
  | { type: 'swapped'; generation: string; previous: string; loadMs: number }
  | { type: 'failed'; generation: string; serving: string; error: unknown; message: string }
  | { type: 'watch-unavailable'; message: string }
  /** The pointer could not be read (the database is away); said once until it can be read again. */
  | { type: 'pointer-unreadable'; message: string };

/** Where the name of the generation in use comes from. */
export interface PointerSource {
  /** The generation in use now, or undefined when there is none (yet); may throw when it cannot be read. */
  read(): string | undefined | Promise<string | undefined>;
  /** A folder whose file events say the pointer may have moved (the index folder); without one, only the poll notices. */
  watchDir?: string;
  /** Where the pointer is, for messages. */
  describe: string;
}

/** The index folder's `CURRENT` file, watched and polled. */
export function filePointer(indexDir: string): PointerSource {
  return { read: () => readPointer(indexDir), watchDir: indexDir, describe: indexDir };
}

export interface LiveIndexOptions<T> {
  /** Where the generation's name comes from: an index folder's `CURRENT` (`filePointer`) or the database. */
  pointer: PointerSource;
  /** The generation loaded at start. */
  initial: Generation<T>;
  /** Loads the generation the pointer names now, completely, and checks it; throws when it cannot be served. */
  load: () => Promise<Generation<T>>;
  /** Load errors that say nothing about the generation (a lost database connection): it is tried again at the next poll. */
  transient?: (error: unknown) => boolean;
  /** Fallback poll of the pointer, in ms (default 2,000). */
  pollMs?: number;
  /** Quiet time after a file event before the pointer is read (default 100 ms): one build sends several events. */
  debounceMs?: number;
  onEvent?: (event: LiveIndexEvent) => void;
}

/** Holds the generation being served and swaps in each new one the pointer names. */
export class LiveIndex<T> {
  private serving: Generation<T>;
  /** The last generation that failed to load: not tried again until the pointer moves on. */
  private failed: string | undefined;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Checks run one at a time, in order; `queued` is the one not started yet, which later callers share. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<boolean> | undefined;
  private closed = false;
  /** A poll is reading the pointer: the next tick does not start another. */
  private polling = false;
  /** The pointer could not be read last time (said once, not at every poll). */
  private unreadable = false;

  constructor(private readonly options: LiveIndexOptions<T>) {
    this.serving = options.initial;
  }

  private get pointer(): PointerSource {
    return this.options.pointer;
  }

  /** What new requests use. Read it once per request: the request then keeps that generation to the end. */
  get current(): T {
    return this.serving.value;
  }

  /** The folder name of the generation being served. */
  get generation(): string {
    return this.serving.name;
  }

  /** Starts watching the pointer. */
  start(): this {
    const indexDir = this.pointer.watchDir;
    if (indexDir !== undefined) {
      try {
        if (!existsSync(indexDir)) throw new Error(`${indexDir} does not exist`);
        this.watcher = watch(indexDir, { persistent: false }, (_event, file) => {
          if (!file || file === POINTER) this.schedule();
        });
        this.watcher.on('error', (error) => {
          this.watcher?.close();
          this.watcher = undefined;
          this.emit({ type: 'watch-unavailable', message: `Stopped watching ${indexDir} (${errorMessage(error)}); checking it every ${this.pollMs} ms instead.` });
        });
      } catch (error) {
        this.emit({ type: 'watch-unavailable', message: `Cannot watch ${indexDir} (${errorMessage(error)}); checking it every ${this.pollMs} ms instead.` });
      }
    }
    this.poller = setInterval(() => void this.poll(), this.pollMs);
    this.poller.unref();
    return this;
  }

  /** One poll: reads the pointer and checks only when it names a generation not served and not failed. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const name = await this.read();
      if (name && name !== this.serving.name && name !== this.failed) void this.refresh();
    } finally {
      this.polling = false;
    }
  }

  /**
   * The pointer, or undefined when it names nothing or cannot be read now; a read failure is said
   * once (a database away for minutes must not fill the log) and the old generation keeps serving.
   */
  private async read(): Promise<string | undefined> {
    try {
      const name = await this.pointer.read();
      this.unreadable = false;
      return name;
    } catch (error) {
      if (!this.unreadable)
        this.emit({ type: 'pointer-unreadable', message: `Cannot check ${this.pointer.describe} for a new index (${errorMessage(error)}); still serving ${this.serving.name}.` });
      this.unreadable = true;
      return undefined;
    }
  }

  private get pollMs(): number {
    return this.options.pollMs ?? 2_000;
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.refresh(), this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  /**
   * Checks the pointer now and serves the generation it names if that is new. Resolves true when
   * the generation the pointer names (at the end of the check) is the one served, false when it
   * failed to load or there is none. Concurrent calls share one check.
   */
  refresh(): Promise<boolean> {
    if (this.queued) return this.queued;
    const run = this.tail.then(() => {
      this.queued = undefined;
      return this.check();
    });
    this.queued = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async check(): Promise<boolean> {
    for (;;) {
      if (this.closed) return false;
      const name = await this.read();
      if (!name) return false;
      if (name === this.serving.name) return true;
      if (name === this.failed) return false;
      const started = performance.now();
      let next: Generation<T>;
      try {
        next = await this.options.load();
      } catch (error) {
        // A build may have replaced the generation while it was read: then the pointer has moved
        // on and the newer one is tried at once; otherwise this one is broken and stays ignored.
        if ((await this.read()) !== name) continue;
        // A load cut short by a lost connection is tried again at the next poll, not given up on.
        if (!this.options.transient?.(error)) this.failed = name;
        this.emit({ type: 'failed', generation: name, serving: this.serving.name, error, message: errorMessage(error) });
        return false;
      }
      if (this.closed) return false;
      if (next.name !== this.serving.name) {
        const previous = this.serving.name;
        this.serving = next;
        this.emit({ type: 'swapped', generation: next.name, previous, loadMs: Math.round(performance.now() - started) });
      }
      // The pointer may have moved again while this one loaded.
      if ((await this.read()) === this.serving.name) return true;
    }
  }

  private emit(event: LiveIndexEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A failing log line must not stop the swap.
    }
  }

  /** Stops watching; the generation being served stays usable. */
  close(): void {
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.poller);
    this.watcher?.close();
    this.watcher = undefined;
  }
}

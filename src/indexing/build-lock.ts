/**
 * One builder at a time per index folder: `INDEX_DIR/.build.lock` names the builder (process id,
 * host, start time) while it runs. A second builder waits for it ("another build is running (pid
 * N), waiting...") or, told not to wait, fails at once saying so. Readers never take the lock:
 * they read `CURRENT`, which a build only ever swaps atomically.
 *
 * A killed builder cannot leave the lock stuck. The lock is taken over, with a note, when
 * - its process is gone (same host: probed with signal 0, and its start time in /proc must match,
 *   so a recycled process id does not count as the builder), or
 * - it has had no heartbeat for `STALE_MS` (10 minutes). A builder touches the lock every
 *   `HEARTBEAT_MS` (10 s) while its event loop runs; the longest synchronous steps of a build
 *   (the HNSW graph, the topics) take well under a minute at 20,000 papers, so ten minutes of
 *   silence means the builder is stuck or on another machine that died.
 *
 * The lock file is written complete and then linked into place (`link` fails if it exists), so no
 * one ever reads a half-written lock; a takeover happens under a second, short-lived lock
 * (`.build.lock.takeover`, a folder) and re-checks that the lock is still the stale one it judged.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { IndexBuildRunningError } from '../errors.js';
import { processAlive } from './index-files.js';

export const LOCK_FILE = '.build.lock';
/** How often a builder touches its lock. */
export const HEARTBEAT_MS = 10_000;
/** A lock untouched this long is taken over even if its process seems alive. */
export const STALE_MS = 10 * 60_000;
/** Default longest wait for another build. */
export const WAIT_TIMEOUT_MS = 30 * 60_000;
/** A takeover folder older than this was left by a process that died mid-takeover. */
const TAKEOVER_STALE_MS = 30_000;

/** Who holds the lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Process start time from /proc (Linux), so a recycled pid is not mistaken for the builder. */
  processStart?: string;
  token: string;
}

export interface BuildLockOptions {
  /** Wait for a running build (default) or fail at once with `IndexBuildRunningError`. */
  wait?: boolean;
  /** Longest wait in ms (default `WAIT_TIMEOUT_MS`). */
  timeoutMs?: number;
  pollMs?: number;
  staleMs?: number;
  heartbeatMs?: number;
  /** Where "waiting" and "took over" notes go (stderr in the CLI). */
  log?: (line: string) => void;
}

/** A held lock; `release()` removes it (only if it is still this holder's). */
export interface BuildLock {
  readonly holder: LockHolder;
  readonly file: string;
  release(): void;
}

/** The start time of a process, from /proc/<pid>/stat (field 22); undefined where there is no /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function readHolder(file: string): { holder?: LockHolder; mtimeMs: number } | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.token === 'string' ? { holder, mtimeMs } : { mtimeMs };
  } catch {
    return { mtimeMs };
  }
}

/** Why a lock can be taken over, or undefined while its builder looks alive. */
function staleReason(found: { holder?: LockHolder; mtimeMs: number }, staleMs: number): string | undefined {
  const { holder } = found;
  const silentMs = Date.now() - found.mtimeMs;
  if (!holder) return silentMs > 5_000 ? 'the lock file is unreadable' : undefined;
  if (holder.host === hostname()) {
    if (!processAlive(holder.pid)) return `its process (pid ${holder.pid}) is gone`;
    const start = processStart(holder.pid);
    if (holder.processStart && start && start !== holder.processStart) return `its process (pid ${holder.pid}) is gone; that pid now belongs to another process`;
  }
  if (silentMs > staleMs) return `no heartbeat for ${Math.round(silentMs / 60_000)} min`;
  return undefined;
}

function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another build';
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return `pid ${holder.pid}${where}, started ${holder.startedAt}`;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Removes the lock if it still is the one judged stale; false when someone else is taking it over. */
function takeOver(file: string, judged: { holder?: LockHolder; mtimeMs: number }): boolean {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch {
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(guard);
    } catch {
      // Gone meanwhile: the next round retries.
    }
    return false;
  }
  try {
    const now = readHolder(file);
    if (now && now.holder?.token === judged.holder?.token && now.mtimeMs === judged.mtimeMs) unlinkSync(file);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

/**
 * Takes the build lock of `indexDir`, waiting for a running build unless `wait` is false.
 * Throws `IndexBuildRunningError` when told not to wait, or after `timeoutMs`.
 */
export async function acquireBuildLock(indexDir: string, options: BuildLockOptions = {}): Promise<BuildLock> {
  mkdirSync(indexDir, { recursive: true });
  const file = join(indexDir, LOCK_FILE);
  const staleMs = options.staleMs ?? STALE_MS;
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStart(process.pid),
    token: randomBytes(8).toString('hex'),
  };
  const started = Date.now();
  let waitingSaid = false;
  for (;;) {
    const temp = `${file}.${holder.token}`;
    writeFileSync(temp, `${JSON.stringify(holder)}\n`);
    try {
      linkSync(temp, file);
      return heldLock(file, holder, options.heartbeatMs ?? HEARTBEAT_MS);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
    const found = readHolder(file);
    if (!found) continue;
    const stale = staleReason(found, staleMs);
    if (stale) {
      if (takeOver(file, found)) log(`Took over the build lock of ${indexDir} from ${describeHolder(found.holder)}: ${stale}.`);
      else await sleep(50);
      continue;
    }
    const who = describeHolder(found.holder);
    if (options.wait === false)
      throw new IndexBuildRunningError(`Another build of ${indexDir} is running (${who}). Wait for it to finish, or run the command again without --no-wait to wait for it.`);
    if (Date.now() - started > timeoutMs) {
      throw new IndexBuildRunningError(`Another build of ${indexDir} is still running after ${Math.round(timeoutMs / 60_000)} min (${who}); try again when it has finished.`);
    }
    if (!waitingSaid) {
      log(`Another build is running (${who}), waiting for it to finish...`);
      waitingSaid = true;
    }
    await sleep(options.pollMs ?? 250);
  }
}

function heldLock(file: string, holder: LockHolder, heartbeatMs: number): BuildLock {
  const mine = () => readHolder(file)?.holder?.token === holder.token;
  const heartbeat = setInterval(() => {
    try {
      if (mine()) utimesSync(file, new Date(), new Date());
    } catch {
      // A missing lock is noticed at release.
    }
  }, heartbeatMs);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    try {
      if (mine()) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  // A builder that exits normally (or by process.exit) never leaves its lock behind.
  process.on('exit', release);
  return { holder, file, release };
}

/** Runs `work` holding the build lock of `indexDir`, and releases it whatever happens. */
export async function withBuildLock<T>(indexDir: string, options: BuildLockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireBuildLock(indexDir, options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

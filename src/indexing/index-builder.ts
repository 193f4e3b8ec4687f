/**
 * Rebuilds the index for a running bot, after `/add` or `/remove` changed the corpus.
 *
 * The build runs in a child process (`index-build-process.ts`) through the same `updateIndex` as
 * `npm run index`, and so under the same build lock: a build from the shell and one from Discord
 * wait for each other. Not on the bot's thread, because the graph, BM25 and topic steps are
 * seconds of synchronous work (minutes at 20,000 papers) that would stall every other interaction;
 * and not in a worker thread, because onnxruntime-node 1.21 (the embedder) crashes when a second
 * thread of the same process runs a model. When the build commits, every process watching the
 * index folder (this one included, see `live-index.ts`) loads the new generation.
 *
 * The child keeps its embedder between builds and exits after `idleMs` without one, or with the
 * bot. `prepare()` starts it ahead of time (`/add` does, while the user reads the preview).
 * Requests made while a build runs share the one build that follows it: the running build may
 * have read the corpus before their change.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Env } from '../config/env.js';
import type { CorpusIssue } from '../errors.js';

/** What a finished build reports. */
export interface BuildSummary {
  /** Nothing had changed: no new generation was written. */
  upToDate: boolean;
  /** The new generation: its folder name, or with `VECTOR_STORE=pgvector` the database generation it was published as. */
  generation?: string;
  papers: number;
  /** Chunks embedded in this build, and taken from the embedding cache. */
  computed: number;
  reused: number;
  seconds: number;
  /** Invalid corpus blocks left out (the bot builds with `--skip-invalid`; each is logged). */
  skipped: CorpusIssue[];
}

/** A build that failed, or a build process that could not start; `causeName` is the underlying error's name. */
export class IndexBuildError extends Error {
  override readonly name = 'IndexBuildError';
  constructor(
    readonly causeName: string,
    message: string,
  ) {
    super(message);
  }
}

/** @internal Messages to the build process. */
export type BuilderRequest = { type: 'init'; env: Env } | { type: 'build'; id: number };
/** @internal Messages from it. */
export type BuilderMessage =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'log'; line: string }
  | { type: 'done'; id: number; summary: BuildSummary }
  | { type: 'failed'; id: number; name: string; message: string };

export interface IndexBuilderOptions {
  /** Build progress and notes (the bot's log). */
  log?: (line: string) => void;
  /** The build process exits after this long without a build (default 10 min). */
  idleMs?: number;
}

const SELF = fileURLToPath(import.meta.url);
const CHILD_FILE = fileURLToPath(new URL(`./index-build-process${extname(SELF)}`, import.meta.url));

/** Under tsx or vitest the sources are TypeScript: the child then loads them through tsx, found from this package. */
function childExecArgv(): string[] {
  if (extname(CHILD_FILE) !== '.ts') return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** Runs index builds for a bot process, one at a time, in a child process. */
export class IndexBuilder {
  private child: ChildProcess | undefined;
  private ready: Promise<ChildProcess> | undefined;
  private readonly pending = new Map<number, { resolve: (s: BuildSummary) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private running: Promise<BuildSummary> | undefined;
  private following: Promise<BuildSummary> | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly env: Env,
    private readonly options: IndexBuilderOptions = {},
  ) {}

  /** The build process's id while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the build process and loads its embedder now, so that the next build starts at once. */
  async prepare(): Promise<void> {
    await this.start();
    this.armIdle();
  }

  /**
   * Builds the index from the corpus as it is now. If a build is running, waits for it and then
   * runs one more, shared with everyone else who asks meanwhile.
   */
  build(): Promise<BuildSummary> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.following ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.following = undefined;
        return this.build();
      });
    return this.following;
  }

  private async run(): Promise<BuildSummary> {
    clearTimeout(this.idle);
    try {
      const child = await this.start();
      const id = this.nextId++;
      return await new Promise<BuildSummary>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        child.send({ type: 'build', id } satisfies BuilderRequest);
      });
    } finally {
      this.armIdle();
    }
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(
      () => {
        if (!this.running) void this.stopChild();
      },
      this.options.idleMs ?? 10 * 60_000,
    );
    this.idle.unref();
  }

  private start(): Promise<ChildProcess> {
    if (this.ready) return this.ready;
    const child = fork(CHILD_FILE, [], {
      execArgv: childExecArgv(),
      // Its own output would interleave with the bot's JSON log: everything it says comes as messages.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    const ready = new Promise<ChildProcess>((resolve, reject) => {
      const fail = (error: Error) => {
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        reject(error);
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      };
      child.on('message', (message: BuilderMessage) => {
        if (message.type === 'ready') resolve(child);
        else if (message.type === 'init-failed') {
          fail(new IndexBuildError('EmbedderInitError', `The index build process could not load the embedder: ${message.message}`));
          child.kill();
        } else if (message.type === 'log') this.options.log?.(message.line);
        else if (message.type === 'done') this.pending.get(message.id)?.resolve(message.summary);
        else if (message.type === 'failed') this.pending.get(message.id)?.reject(new IndexBuildError(message.name, message.message));
        if (message.type === 'done' || message.type === 'failed') this.pending.delete(message.id);
      });
      child.on('error', fail);
      child.on('exit', (code, signal) => {
        const said = stderr.trim().split('\n').slice(-3).join(' | ');
        fail(new IndexBuildError('BuildProcessExit', `The index build process stopped (${signal ?? `exit code ${code}`})${said ? `: ${said}` : ''}.`));
      });
    });
    // Unhandled if nobody is waiting yet (prepare() not awaited): the next build reports it.
    ready.catch(() => undefined);
    child.send({ type: 'init', env: this.env } satisfies BuilderRequest);
    this.ready = ready;
    return ready;
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Disconnecting lets it finish a build it started, then exit.
    if (child.connected) child.disconnect();
    else child.kill();
    await exited;
  }

  /**
   * Waits for a build in progress (up to `waitMs`, default 60 s), then stops the build process.
   * A build is not cut short lightly: it holds the build lock and a half-written generation.
   */
  async close(waitMs = 60_000): Promise<void> {
    clearTimeout(this.idle);
    const building = this.following ?? this.running;
    if (building) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([building.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    const child = this.child;
    const stopping = this.stopChild();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopping, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * The child process in which a running bot rebuilds the index (see `index-builder.ts`). It runs
 * `updateIndex` with `indexBuildHooks` and, with `VECTOR_STORE=pgvector`, publishes the build to
 * Postgres: exactly what `npm run index` runs, so a build from
 * Discord takes the same steps, the same embedding cache and the same build lock as one from the
 * shell. The embedder is loaded once and kept for the next builds; the process exits when the bot
 * that started it goes away.
 */
import type { Env } from '../config/env.js';
import { indexBuildHooks } from '../litbot.js';
import type { Embedder } from './embeddings/embedder.js';
import { createEmbedder } from './embeddings/create-embedder.js';
import type { BuildSummary, BuilderMessage, BuilderRequest } from './index-builder.js';
import { publishToDatabase } from './stores/pg-index.js';
import { updateIndex } from './update-index.js';

const send = (message: BuilderMessage) => process.send?.(message);
const log = (line: string) => send({ type: 'log', line });
let env: Env | undefined;
let embedder: Embedder | undefined;
// One build at a time, in the order asked.
let queue: Promise<unknown> = Promise.resolve();

async function build(id: number): Promise<void> {
  const started = performance.now();
  try {
    if (!env || !embedder) throw new Error('The build process was not initialised.');
    const result = await updateIndex({ env, embedder, skipInvalid: true, ...indexBuildHooks(env, { log }), log });
    // VECTOR_STORE=pgvector: the bots serve the database's generation, so the build is published
    // there (as `npm run index` does), and that generation is the one the bot is to serve.
    const published = await publishToDatabase(env, env.INDEX_DIR, embedder, { log, force: !result.upToDate });
    const seconds = (performance.now() - started) / 1000;
    const summary: BuildSummary = result.upToDate
      ? { upToDate: !published?.published, generation: published?.generation, papers: result.manifest.counts.papers, computed: 0, reused: 0, seconds, skipped: [] }
      : {
          upToDate: false,
          generation: published?.generation ?? result.dir.split(/[\\/]/).pop(),
          papers: result.manifest.counts.papers,
          computed: result.manifest.embedded.computed,
          reused: result.manifest.embedded.reused,
          seconds,
          skipped: result.corpus.issues,
        };
    send({ type: 'done', id, summary });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'failed', id, name: e.name, message: e.message });
  }
}

process.on('message', (request: BuilderRequest) => {
  if (request.type === 'init') {
    env = request.env;
    const created = createEmbedder(env);
    embedder = created;
    queue = queue.then(async () => {
      try {
        await created.init();
        send({ type: 'ready' });
      } catch (error) {
        send({ type: 'init-failed', message: error instanceof Error ? error.message : String(error) });
      }
    });
  } else if (request.type === 'build') {
    queue = queue.then(() => build(request.id));
  }
});
// The bot went away (exit, crash or `close()`): nothing is left to build for. A build in progress
// finishes first, so its lock and half-written folder are not left behind.
process.on('disconnect', () => void queue.then(() => process.exit(0)));

/**
 * A real Postgres (PGlite: Postgres 18 compiled to WASM) with the `vector` and `pg_textsearch`
 * extensions, served over the Postgres wire protocol on 127.0.0.1 by `@electric-sql/pglite-socket`,
 * so the real `pg` client talks to a real server. The tests, `npm run bench -- --store pgvector`
 * and `npm run pg:dev` start it; production runs a real PostgreSQL with pgvector
 * (docs/pgvector.md). PGlite is a development dependency: it is imported only when started.
 *
 * PGlite is one session: every connection the socket server accepts shares it (a `SET` on one is
 * seen by all), which Litbot's readers tolerate because they set nothing per connection but
 * `hnsw.ef_search`, to the same value everywhere.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteServerOptions {
  /** Folder for a database that outlives the process; omitted, it lives in memory. */
  dataDir?: string;
  /** Load pgvector (default true); false gives a database without it, to test that message. */
  vector?: boolean;
  /** Load pg_textsearch (default: with pgvector); false leaves the lexical half to `ts_rank`, as on a server without it. */
  textsearch?: boolean;
  /** TCP port (default: any free one). */
  port?: number;
  /** Connections the socket server accepts at once (at least 2: a pool and a listener). */
  maxConnections?: number;
}

export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and drops the open ones; the database stays in memory. */
  stopListening(): Promise<void>;
  /** Listens again on the same port, after `stopListening()`. */
  listen(): Promise<void>;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

/** Starts PGlite and its socket server. Takes about 5-20 s (the WASM module compiles). */
export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  const extensions: Record<string, unknown> = {};
  if (options.vector !== false) {
    const [{ vector }, { pg_textsearch }] = await Promise.all([import('@electric-sql/pglite-pgvector'), import('@electric-sql/pglite-pg_textsearch')]);
    extensions.vector = vector;
    if (options.textsearch !== false) extensions.pg_textsearch = pg_textsearch;
  }
  const db: PGlite = await PGlite.create({ dataDir: options.dataDir, extensions: extensions as never });
  const maxConnections = Math.max(2, options.maxConnections ?? 8);
  let port = options.port ?? 0;
  let server: PGLiteSocketServer | undefined;
  const listen = async () => {
    if (server) return;
    const s = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
    keepBatchesTogether(s, db);
    await s.start();
    port = Number(s.getServerConn().split(':').pop());
    server = s;
  };
  await listen();
  return {
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    get port() {
      return port;
    },
    listen,
    async stopListening() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async close() {
      const s = server;
      server = undefined;
      await s?.stop();
      await db.close();
    },
  };
}

/** Message types of the extended query protocol that leave a batch open until its `Sync`. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const QUERY = 'Q'.charCodeAt(0);

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/**
 * pglite-socket (0.2.17) queues single protocol messages from all connections into PGlite's one
 * session and keeps a connection's messages together only inside a transaction, so two pooled
 * connections running parameterised queries at once interleave their Parse/Bind/Execute/Sync
 * batches ("unnamed prepared statement does not exist": electric-sql/pglite#1046, fix proposed
 * in #977); and a message that throws leaves the queue stuck. A bot polling the database while
 * `npm run index` publishes does exactly that. This replaces the queue's loop: a connection that
 * started a batch keeps the session until its `Sync` (or its transaction's end), and a failed
 * message is reported to its connection only.
 */
function keepBatchesTogether(server: unknown, db: PGlite): void {
  const q = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!q || typeof q.processQueue !== 'function' || !Array.isArray(q.queue)) return;
  let batchOwner: number | null = null;
  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId) => {
    if (batchOwner === handlerId) batchOwner = null;
    clear(handlerId);
    void q.processQueue();
  };
  q.processQueue = async () => {
    if (q.processing) return;
    q.processing = true;
    try {
      for (;;) {
        const owner = db.isInTransaction() && q.lastHandlerId !== null ? q.lastHandlerId : batchOwner;
        const at = owner === null ? (q.queue.length ? 0 : -1) : q.queue.findIndex((m) => m.handlerId === owner);
        if (at === -1) break;
        const [item] = q.queue.splice(at, 1);
        const type = item.message[0];
        if (EXTENDED.has(type)) batchOwner = item.handlerId;
        else if (type === SYNC || type === QUERY) batchOwner = null;
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          if (batchOwner === item.handlerId) batchOwner = null;
          item.reject(error);
          continue;
        }
        q.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      q.processing = false;
    }
  };
}

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

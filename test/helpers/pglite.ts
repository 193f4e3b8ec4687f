/**
 * A real Postgres with pgvector for a test file: PGlite behind its wire-protocol socket server on
 * 127.0.0.1, started once per file (it takes 5-20 s to start), so `pg` talks to it as to any server.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPgliteServer, type PgliteServer, type PgliteServerOptions } from '../../src/indexing/stores/testing/pglite-server.js';

export type { PgliteServer };
export { startPgliteServer };

/** A server for the whole test file; read `.url` inside tests. */
export function usePgliteServer(options: PgliteServerOptions = {}): { readonly server: PgliteServer } {
  const holder: { server?: PgliteServer } = {};
  beforeAll(async () => {
    holder.server = await startPgliteServer(options);
  });
  afterAll(async () => {
    await holder.server?.close();
  });
  return {
    get server() {
      if (!holder.server) throw new Error('The PGlite server is not started yet: read it inside a test.');
      return holder.server;
    },
  };
}

/**
 * `npm run pg:dev`: a local Postgres with pgvector and pg_textsearch to try `VECTOR_STORE=pgvector`
 * by hand, without installing a server. PGlite (Postgres compiled to WASM) behind its
 * wire-protocol socket server; the data stays in `<CACHE_DIR>/pglite` (or `--data DIR`;
 * `--memory` keeps nothing). For development only: one session shared by every connection, and
 * inserts are slow (about 12 minutes per 100,000 512-d vectors). Production: docs/pgvector.md.
 */
import { join } from 'node:path';
import { loadConfig } from '../config/env.js';
import { startPgliteServer } from '../indexing/stores/testing/pglite-server.js';
import { intOption, program, runCli } from './run-cli.js';

const cli = program('pg:dev', 'Serves a local Postgres with pgvector (PGlite) for VECTOR_STORE=pgvector.')
  .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free one)', intOption('port', 0, 65_535), 5432)
  .option('--data <dir>', 'database folder (default <CACHE_DIR>/pglite)')
  .option('--memory', 'keep the database in memory only')
  .parse();

await runCli(async () => {
  const options = cli.opts<{ port: number; data?: string; memory?: boolean }>();
  const env = loadConfig();
  const dataDir = options.memory ? undefined : (options.data ?? join(env.CACHE_DIR, 'pglite'));
  process.stderr.write(`Starting Postgres (PGlite) ${dataDir ? `in ${dataDir}` : 'in memory'} ...\n`);
  const server = await startPgliteServer({ dataDir, port: options.port });
  process.stderr.write(`Listening. In another terminal (or .env):\n\n  VECTOR_STORE=pgvector DATABASE_URL=${server.url} npm run index\n\nCtrl-C stops it.\n`);
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
});

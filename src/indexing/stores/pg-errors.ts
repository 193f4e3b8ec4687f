/**
 * What goes wrong between Litbot and Postgres, each with one message that names the fix. The
 * connection URL is never part of a message: it may hold a password.
 */
import { ConfigError } from '../../errors.js';

/** `DATABASE_URL` names no server that answers. */
export class DatabaseUnreachableError extends ConfigError {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(
      `Cannot reach the Postgres server at ${where} (${reason}). Check DATABASE_URL in .env (host, port, user, password, database) and that the server is running; ` +
        `to try Litbot with a local one, run npm run pg:dev and use the DATABASE_URL it prints, or set VECTOR_STORE=hnswlib.`,
    );
  }
}

/** The database has no pgvector. */
export class VectorExtensionMissingError extends ConfigError {
  constructor(readonly where: string) {
    super(
      `The database at ${where} does not have the pgvector extension. Install pgvector on the server (PostgreSQL 15+; managed services offer it) ` +
        `and run CREATE EXTENSION vector; in the database as its owner (see docs/pgvector.md), or set VECTOR_STORE=hnswlib.`,
    );
  }
}

/** `VECTOR_STORE=pgvector` without a `DATABASE_URL`. */
export class DatabaseUrlMissingError extends ConfigError {
  constructor() {
    super('VECTOR_STORE=pgvector needs DATABASE_URL (postgres://user:password@host:5432/db): set it in .env, or set VECTOR_STORE=hnswlib.');
  }
}

/** The database went away while serving (a restart, a network cut): the caller answers with its standard error and tries again next time. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(readonly reason: string) {
    super(`The database did not answer (${reason}); the next request reconnects.`);
  }
}

/**
 * The generation a bot was reading has been dropped (a publisher keeps only the current one and
 * the one before): the request fails with the standard error, and a watching bot loads the newest.
 */
export class GenerationGoneError extends Error {
  override readonly name = 'GenerationGoneError';
  constructor(readonly generation: string) {
    super(`The index generation ${generation} is no longer in the database (a newer one replaced it); the bot loads the current one.`);
  }
}

/** The generation named in a "no such schema / table / index" error of a generation's object, or undefined for any other error. */
export function droppedGeneration(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e?.code || !['3F000', '42P01', '42704'].includes(e.code)) return undefined;
  return /litbot_(g_[A-Za-z0-9_]+)/.exec(e.message ?? '')?.[1];
}

/** Error codes of a connection that failed or was cut, as `pg` and Node report them. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** True when `error` means the server could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string; errors?: unknown[] } | undefined;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some(isConnectionError)) return true;
  return /Connection terminated|connection timeout|Connection ended|not queryable|socket hang up/i.test(e.message ?? '');
}

/** `host:port/database` of a connection URL, without user or password, for messages. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** A short reason for a connection failure, without anything from the URL. */
export function connectionReason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.find((x) => x?.code)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code === '28P01' || code === '28000') return 'authentication failed';
  if (code === '3D000') return 'no such database';
  if (/timeout/i.test(e?.message ?? '')) return 'timed out';
  return code ?? 'connection failed';
}

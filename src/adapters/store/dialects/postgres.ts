import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DomainError } from '../../../core/errors.js';
import type { Database, Db } from '../schema.js';
import { driverCode } from '../store-errors.js';

/** An open PostgreSQL pool and what the store needs to know about it. */
export interface PostgresConnection {
  readonly db: Db;
  readonly where: string;
}

/** host:port/database of a URL, never its user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}

/** How long one query may wait for the server before it fails (ms). */
export const QUERY_TIMEOUT_MS = 30_000;

const NO_ANSWER = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
]);

function causeCode(err: unknown): string | undefined {
  const direct = driverCode(err);
  if (direct !== undefined) return direct;
  // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
  if (err instanceof AggregateError) return err.errors.map(driverCode).find((c) => c !== undefined);
  return undefined;
}

/** Opens a pg Pool and checks that the server answers, so a wrong DATABASE_URL stops start-up with one sentence. */
export async function openPostgres(url: string): Promise<PostgresConnection> {
  const where = describePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // A server that takes the connection but never answers would otherwise hold an SMTP command
    // or an API request forever; after this the query fails and the caller answers 451 / 503.
    // A `?query_timeout=` in DATABASE_URL wins (tests use a short one).
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener Node
  // would exit. The next query gets a fresh client or fails with STORE_UNAVAILABLE.
  pool.on('error', () => undefined);
  // A checked-out client has no pool listener: a connection lost in the middle of a query (the
  // server restarts, a proxy cuts it) emitted an unhandled 'error' and crashed the process. The
  // query itself still fails (STORE_UNAVAILABLE) and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const code = causeCode(err);
    const timedOut = err instanceof Error && /timeout/i.test(err.message);
    if (code === undefined || NO_ANSWER.has(code) || timedOut) {
      throw new DomainError(
        'STORE_UNAVAILABLE',
        `The database at ${where} does not answer (${code ?? (timedOut ? 'timeout' : 'no connection')}). Check that PostgreSQL is running and that DATABASE_URL points at it.`,
        { cause: err },
      );
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new DomainError(
      'STORE_UNAVAILABLE',
      `The database at ${where} refused the connection (${code}: ${reason}). Check the user, password and database name in DATABASE_URL.`,
      { cause: err },
    );
  }
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: dropClientsAfterTimeout(pool) }) }), where };
}

/**
 * After a query read timeout the client still waits for that query's answer, possibly inside an
 * open transaction whose ROLLBACK was never sent. Handing it back to the pool would let the next
 * request queue behind the stuck query, or run inside that stale transaction; released with an
 * error instead, the pool closes it and the server rolls the transaction back.
 */
function dropClientsAfterTimeout(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let timedOut: Error | undefined;
      const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
        // Kysely passes a cursor only when the dialect has one configured (this one has none).
        if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
        return client.query(sqlOrCursor, [...(parameters ?? [])]).catch((err: unknown) => {
          if (err instanceof Error && /query read timeout/i.test(err.message)) timedOut = err;
          throw err;
        });
      };
      return { query: query as PostgresPoolClient['query'], release: () => client.release(timedOut) };
    },
    end: () => pool.end(),
  };
}

import { Kysely, PostgresDialect } from 'kysely';
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
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener Node
  // would exit. The next query gets a fresh client or fails with STORE_UNAVAILABLE.
  pool.on('error', () => undefined);
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
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), where };
}

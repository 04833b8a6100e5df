import { DomainError, isDomainError } from '../../core/errors.js';

/** The driver's error code: SQLITE_* from better-sqlite3, SQLSTATE or errno from pg. */
export function driverCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A constraint the schema enforces (unique, foreign key, not null): a bug or a clash, never an outage. */
export function isConstraintViolation(err: unknown): boolean {
  const code = driverCode(err);
  return code !== undefined && (code.startsWith('SQLITE_CONSTRAINT') || /^23[0-9A-Z]{3}$/.test(code));
}

/** A unique violation, optionally on a named table (the SQLite message or the PostgreSQL constraint names it). */
export function isUniqueViolation(err: unknown, table?: string): boolean {
  const code = driverCode(err);
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY' && code !== '23505') return false;
  if (table === undefined) return true;
  const e = err as { message?: unknown; table?: unknown; constraint?: unknown };
  const text = `${String(e.message)} ${String(e.table)} ${String(e.constraint)}`;
  return text.includes(`${table}.`) || text.includes(`${table}_`) || e.table === table;
}

export function isCorruption(err: unknown): boolean {
  const code = driverCode(err);
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code?.startsWith('SQLITE_CORRUPT_') === true;
}

/** Errors that are bugs in our code, not database trouble: they must reach the edge's log unchanged. */
function isProgrammingError(err: unknown): boolean {
  return (
    err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || err instanceof ReferenceError
  );
}

export function corruptMessage(where: string, err: unknown): string {
  const code = driverCode(err) ?? 'unreadable';
  return `The file ${where} is not a Sendwarden database or is damaged (${code}). Restore a backup, or move the file away to start with an empty database.`;
}

/**
 * Turns a driver or connection error into DomainError STORE_UNAVAILABLE (or SCHEMA_CORRUPT),
 * keeping the original as `cause`. DomainErrors, constraint violations and programming
 * errors pass through unchanged. The message names only the code, never row data.
 */
export function toStoreError(err: unknown, where: string): unknown {
  if (isDomainError(err) || isConstraintViolation(err) || isProgrammingError(err)) return err;
  if (isCorruption(err)) return new DomainError('SCHEMA_CORRUPT', corruptMessage(where, err), { cause: err });
  const code = driverCode(err) ?? (err instanceof Error ? err.message.slice(0, 80) : 'unknown error');
  return new DomainError(
    'STORE_UNAVAILABLE',
    `The database at ${where} did not complete the request (${code}). Check that it is running and reachable, then try again.`,
    { cause: err },
  );
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

async function* guardIterable<T>(source: AsyncIterable<T>, where: string): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    throw toStoreError(err, where);
  }
}

/**
 * Wraps every method of a store so driver errors surface as DomainError STORE_UNAVAILABLE,
 * as the ports promise, without a try/catch in each method.
 */
export function guardStore<T extends object>(target: T, where: string): T {
  // One wrapper per method, made at its first use: the policy service calls two store methods per
  // request, and a wrapper made at every call was a closure each time.
  const wrappers = new Map<PropertyKey, { readonly method: unknown; readonly wrapper: unknown }>();
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const known = wrappers.get(prop);
      if (known !== undefined && known.method === value) return known.wrapper;
      const wrapper = (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(t, args);
        } catch (err) {
          throw toStoreError(err, where);
        }
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            throw toStoreError(err, where);
          });
        }
        if (isAsyncIterable(result)) return guardIterable(result, where);
        return result;
      };
      wrappers.set(prop, { method: value, wrapper });
      return wrapper;
    },
  });
}

/** Conversions between domain values and column values, shared by every Kysely store. */

export function toMillis(d: Date): number {
  return d.getTime();
}

export function toMillisOrNull(d: Date | null): number | null {
  return d === null ? null : d.getTime();
}

export function toDate(v: number | string): Date {
  return new Date(Number(v));
}

export function toDateOrNull(v: number | string | null): Date | null {
  return v === null ? null : new Date(Number(v));
}

export function toFlag(b: boolean): number {
  return b ? 1 : 0;
}

export function fromFlag(v: number | string): boolean {
  return Number(v) !== 0;
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Count columns come back as string (PostgreSQL bigint) or number (SQLite). */
export function toCount(v: number | string | bigint | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** The LIKE escape character used with every pattern built by likeContains. */
export const LIKE_ESCAPE = '!';

/** `text` with %, _ and the escape character escaped, for a LIKE pattern used with LIKE_ESCAPE. */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

/** A LIKE pattern matching `text` as a literal substring. */
export function likeContains(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** Page size: default 50, at most 500, at least 1. */
export function clampLimit(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

export function clampOffset(offset: number | undefined): number {
  if (offset === undefined || !Number.isFinite(offset)) return 0;
  return Math.max(0, Math.floor(offset));
}

/** Splits `items` into arrays of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The number of columns of a batch of rows (the widest row; 1 for none). */
export function columnsOf(rows: readonly object[]): number {
  return rows.reduce((most, row) => Math.max(most, Object.keys(row).length), 1);
}

/**
 * Rows per multi-row INSERT so a statement stays under SQLite's 32,766 bound parameters
 * (PostgreSQL allows 65,535).
 */
export function rowsPerInsert(columns: number): number {
  return Math.max(1, Math.floor(30_000 / columns));
}

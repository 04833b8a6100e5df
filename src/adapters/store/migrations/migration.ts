import type { Kysely } from 'kysely';
import type { StoreKind } from '../schema.js';

/**
 * One schema step. `up` runs inside the migrator's transaction and must work on both
 * dialects (branch on `kind` only where SQL differs). Migrations are never edited once
 * released: a change is a new migration with the next version.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  // The schema of a migration is the schema at its own time, not today's Database type.
  up(db: Kysely<unknown>, kind: StoreKind, now: Date): Promise<void>;
}

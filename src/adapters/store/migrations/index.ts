import { initialMigration } from './001-initial.js';
import { totpLastStepMigration } from './002-totp-last-step.js';
import { policyUniquenessMigration } from './003-policy-uniqueness.js';
import { auditKeyedMigration } from './005-audit-keyed.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  totpLastStepMigration,
  policyUniquenessMigration,
  auditKeyedMigration,
];

/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

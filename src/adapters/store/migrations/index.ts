import { initialMigration } from './001-initial.js';
import { totpLastStepMigration } from './002-totp-last-step.js';
import { policyUniquenessMigration } from './003-policy-uniqueness.js';
import { alertDeliveriesMigration } from './004-alert-deliveries.js';
import { auditKeyedMigration } from './005-audit-keyed.js';
import { messageLogReplayMigration } from './006-message-log-replay.js';
import { scannerVerdictsMigration } from './007-scanner-verdicts.js';
import { evidenceVaultMigration } from './008-evidence-vault.js';
import { userLocaleMigration } from './009-user-locale.js';
import { userSearchIndexMigration } from './010-user-search-index.js';
import { messageRollupsMigration } from './011-message-rollups.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  totpLastStepMigration,
  policyUniquenessMigration,
  alertDeliveriesMigration,
  auditKeyedMigration,
  messageLogReplayMigration,
  scannerVerdictsMigration,
  evidenceVaultMigration,
  userLocaleMigration,
  userSearchIndexMigration,
  messageRollupsMigration,
];

/** The schema version this code writes. */
export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

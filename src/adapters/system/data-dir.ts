import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../core/errors.js';

/** The SQLite file inside the data folder. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'sendwarden.db');
}

/** True when the data folder holds a store (a CLI command refuses to create an empty one). */
export function hasSqliteStore(dataDir: string): boolean {
  return existsSync(sqliteFile(dataDir));
}

/**
 * Creates the data folder (or explains why it cannot) and returns the server secret: the
 * configured one, else `<dataDir>/secret.key`, made on first run (0600).
 */
export function prepareDataDir(dataDir: string, configured: string | undefined): Buffer {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    throw new DomainError(
      'DATA_DIR_NOT_WRITABLE',
      `The data folder ${dataDir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Set SENDWARDEN_DATA_DIR to a writable folder.`,
      { cause: err },
    );
  }
  // Several nodes must share one secret (CSRF tokens, TOTP enrolment and lockout fingerprints are derived from it).
  if (configured !== undefined) return Buffer.from(configured, 'hex');
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Two processes on a first run: the other one wrote it first, and both read the same.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

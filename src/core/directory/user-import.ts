import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { UnitOfWork } from '../../ports/stores.js';
import { recordAudit } from '../audit/record.js';
import { DomainError, isDomainError } from '../errors.js';
import type { Principal } from '../roles/principal.js';
import { orgForAddress } from './org-for-address.js';
import type { User } from './user.js';
import { newUser, validateUserFields, type NewUserInput, type ValidUserFields } from './new-user.js';

/** One row of a users CSV (Microsoft's "Add multiple users": email, name, aliases, groups, alternate email). */
export interface ImportRow extends NewUserInput {
  /** 1-based line number in the file, for error messages. */
  readonly line: number;
}

/** What an import did (or, with dryRun, would do). */
export interface ImportReport {
  readonly total: number;
  readonly imported: number;
  readonly rejected: readonly {
    readonly line: number;
    readonly email: string;
    readonly code: string;
    readonly reason: string;
  }[];
  readonly dryRun: boolean;
}

/** Validates every row, and finds clashes inside the file; store clashes are checked by the caller. */
export function validateImportRows(rows: readonly ImportRow[]): {
  valid: { line: number; fields: ValidUserFields }[];
  rejected: ImportReport['rejected'][number][];
} {
  const valid: { line: number; fields: ValidUserFields }[] = [];
  const rejected: ImportReport['rejected'][number][] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    try {
      if ((row.roles ?? []).length > 0) {
        throw new DomainError('INVALID_INPUT', 'An import cannot grant admin roles; assign them one by one.');
      }
      const fields = validateUserFields(row);
      for (const address of [fields.email, ...fields.aliases]) {
        const first = seen.get(address);
        if (first !== undefined) {
          throw new DomainError('USER_EXISTS', `The address ${address} is already used on line ${first} of this file.`);
        }
      }
      for (const address of [fields.email, ...fields.aliases]) seen.set(address, row.line);
      valid.push({ line: row.line, fields });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      rejected.push({ line: row.line, email: row.email, code: err.code, reason: err.message });
    }
  }
  return { valid, rejected };
}

const IMPORT_BATCH = 500;

/**
 * Imports validated rows for an already authorised principal: clashes with the store are reported
 * per row; with dryRun nothing is written; otherwise rows go in batches of 500, one unit of work
 * (and one audit entry) per batch, and onProgress hears after each batch.
 */
export async function importValidRows(
  deps: { readonly uow: UnitOfWork; readonly clock: Clock; readonly random: Random },
  p: Principal,
  rows: readonly ImportRow[],
  options: { dryRun: boolean; onProgress?: ((done: number, total: number) => void) | undefined },
): Promise<ImportReport> {
  const { valid, rejected } = validateImportRows(rows);
  const taken = await deps.uow.run((s) =>
    s.users.takenAddresses(valid.flatMap((v) => [v.fields.email, ...v.fields.aliases])),
  );
  const fresh = valid.filter((v) => {
    const clash = [v.fields.email, ...v.fields.aliases].find((a) => taken.has(a));
    if (clash !== undefined)
      rejected.push({
        line: v.line,
        email: v.fields.email,
        code: 'USER_EXISTS',
        reason: `The address ${clash} is already used by another user.`,
      });
    return clash === undefined;
  });
  rejected.sort((a, b) => a.line - b.line);
  if (options.dryRun) return { total: rows.length, imported: fresh.length, rejected, dryRun: true };
  let imported = 0;
  for (let i = 0; i < fresh.length; i += IMPORT_BATCH) {
    const batch = fresh.slice(i, i + IMPORT_BATCH);
    const now = deps.clock.now();
    imported += await deps.uow.run(async (s) => {
      const users: User[] = [];
      for (const v of batch) {
        const orgId = await orgForAddress(s, p.actor, deps.random, v.fields.email, now);
        users.push(newUser(v.fields, { id: deps.random.uuid(), orgId, passwordHash: null, createdAt: now }));
      }
      await s.users.insertMany(users);
      await recordAudit(s, now, p.actor, 'users.imported', `users:${users.length}`, undefined, {
        emails: users.map((u) => u.email),
      });
      return users.length;
    });
    options.onProgress?.(Math.min(i + batch.length, fresh.length), fresh.length);
  }
  return { total: rows.length, imported, rejected, dryRun: false };
}

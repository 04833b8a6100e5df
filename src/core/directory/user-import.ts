import { DomainError, isDomainError } from '../errors.js';
import { validateUserFields, type NewUserInput, type ValidUserFields } from './new-user.js';

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

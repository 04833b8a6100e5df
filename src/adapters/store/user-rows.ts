import type { LockoutCounter, LockoutState, Sender, User } from '../../core/directory/user.js';
import type { Language } from '../../core/directory/locale.js';
import type { Role } from '../../core/roles/roles.js';
import type { Insertable, Selectable } from 'kysely';
import { fromFlag, parseJson, toDate, toDateOrNull, toFlag, toMillis, toMillisOrNull } from './codec.js';
import type { AddressesTable, Db, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

interface StoredCounter {
  readonly failures: number;
  readonly lockedUntil: number | null;
  readonly lockouts: number;
}

function encodeCounter(c: LockoutCounter): StoredCounter {
  return { failures: c.failures, lockedUntil: toMillisOrNull(c.lockedUntil), lockouts: c.lockouts };
}

function decodeCounter(c: StoredCounter): LockoutCounter {
  return {
    failures: c.failures,
    lockedUntil: c.lockedUntil === null ? null : new Date(c.lockedUntil),
    lockouts: c.lockouts,
  };
}

function lockedUntil(lockout: LockoutState): number | null {
  const times = [lockout.familiar.lockedUntil, lockout.unfamiliar.lockedUntil].filter((d): d is Date => d !== null);
  return times.length === 0 ? null : Math.max(...times.map(toMillis));
}

export function userToRow(user: User): Insertable<UsersTable> {
  return {
    id: user.id,
    org_id: user.orgId,
    email: user.email,
    display_name: user.displayName,
    display_name_lower: user.displayName.toLowerCase(),
    groups: JSON.stringify(user.groups),
    roles: JSON.stringify(user.roles),
    password_hash: user.passwordHash,
    password_history: JSON.stringify(user.passwordHistory),
    must_change_password: toFlag(user.mustChangePassword),
    sign_in_blocked: toFlag(user.signInBlocked),
    lockout: JSON.stringify({
      familiar: encodeCounter(user.lockout.familiar),
      unfamiliar: encodeCounter(user.lockout.unfamiliar),
      recentWrongFingerprints: user.lockout.recentWrongFingerprints,
      familiarLocations: user.lockout.familiarLocations,
    }),
    locked_until: lockedUntil(user.lockout),
    alternate_email: user.alternateEmail,
    totp_secret: user.totpSecret,
    totp_deadline: toMillisOrNull(user.totpDeadline),
    totp_last_step: user.totpLastStep ?? null,
    created_at: toMillis(user.createdAt),
    last_sign_in_at: toMillisOrNull(user.lastSignInAt),
    security_epoch: user.securityEpoch,
    language: user.language ?? null,
    time_zone: user.timeZone ?? null,
  };
}

export function rowToUser(row: UserRow, aliases: readonly string[]): User {
  const lockout = parseJson<{
    familiar: StoredCounter;
    unfamiliar: StoredCounter;
    recentWrongFingerprints: string[];
    familiarLocations: string[];
  }>(row.lockout);
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    displayName: row.display_name,
    aliases,
    groups: parseJson<string[]>(row.groups),
    roles: parseJson<Role[]>(row.roles),
    passwordHash: row.password_hash,
    passwordHistory: parseJson<string[]>(row.password_history),
    mustChangePassword: fromFlag(row.must_change_password),
    signInBlocked: fromFlag(row.sign_in_blocked),
    lockout: {
      familiar: decodeCounter(lockout.familiar),
      unfamiliar: decodeCounter(lockout.unfamiliar),
      recentWrongFingerprints: lockout.recentWrongFingerprints,
      familiarLocations: lockout.familiarLocations,
    },
    alternateEmail: row.alternate_email,
    totpSecret: row.totp_secret,
    totpDeadline: toDateOrNull(row.totp_deadline),
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    createdAt: toDate(row.created_at),
    lastSignInAt: toDateOrNull(row.last_sign_in_at),
    securityEpoch: Number(row.security_epoch),
    language: (row.language ?? null) as Language | null,
    timeZone: row.time_zone ?? null,
  };
}

/**
 * A Sender from the rows of one user joined with each of its addresses in position order (a
 * user's columns repeated per address), or undefined for no rows: the policy service's lookup.
 */
export function rowsToSender(
  rows: readonly (Pick<UserRow, 'id' | 'org_id' | 'email' | 'groups' | 'sign_in_blocked'> &
    Pick<AddressesTable, 'address' | 'kind'>)[],
): Sender | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const aliases = rows.filter((r) => r.kind === 'alias').map((r) => r.address);
  const groups = parseJson<string[]>(first.groups);
  // Senders are kept per active user (the sending-state store's sender cache): most have no alias and
  // no group, and share one frozen empty list instead of two arrays each.
  return {
    id: first.id,
    orgId: first.org_id,
    email: first.email,
    aliases: aliases.length === 0 ? NONE : aliases,
    groups: groups.length === 0 ? NONE : groups,
    signInBlocked: fromFlag(first.sign_in_blocked),
  };
}

const NONE: readonly string[] = Object.freeze([]);

/** The address rows of a user: the email first, then the aliases in order, duplicates dropped. */
export function addressRows(user: User): Insertable<AddressesTable>[] {
  const seen = new Set<string>();
  const rows: Insertable<AddressesTable>[] = [];
  [user.email, ...user.aliases].forEach((address, position) => {
    if (seen.has(address)) return;
    seen.add(address);
    rows.push({ address, user_id: user.id, kind: position === 0 ? 'primary' : 'alias', position });
  });
  return rows;
}

/** Loads the aliases of these user rows in one query and builds Users, keeping the rows' order. */
export async function hydrateUsers(db: Db, rows: readonly UserRow[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const aliases = new Map<string, string[]>();
  for (const ids of chunkIds(rows.map((r) => r.id))) {
    const found = await db
      .selectFrom('addresses')
      .select(['user_id', 'address'])
      .where('user_id', 'in', ids)
      .where('kind', '=', 'alias')
      .orderBy('position')
      .execute();
    for (const a of found) {
      const list = aliases.get(a.user_id) ?? [];
      list.push(a.address);
      aliases.set(a.user_id, list);
    }
  }
  return rows.map((r) => rowToUser(r, aliases.get(r.id) ?? []));
}

function chunkIds(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(ids.slice(i, i + 500));
  return out;
}

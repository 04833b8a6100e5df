import { DomainError } from '../errors.js';
import { isRole, type Role } from '../roles/roles.js';
import { normalizeAddress } from './address.js';
import { validateLanguage, validateTimeZone, type Language } from './locale.js';
import { EMPTY_LOCKOUT, type User } from './user.js';

/** What an admin (or an import row) gives to create a user. */
export interface NewUserInput {
  readonly email: string;
  readonly displayName: string;
  readonly aliases?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly roles?: readonly string[] | undefined;
  readonly alternateEmail?: string | null | undefined;
  readonly password?: string | undefined;
  /** en, fr, nb, nl or ro; empty or absent: the organisation default. */
  readonly language?: string | null | undefined;
  /** An IANA time zone; empty or absent: the organisation default. */
  readonly timeZone?: string | null | undefined;
}

/** The validated, normalised fields of a new user. */
export interface ValidUserFields {
  readonly email: string;
  readonly displayName: string;
  readonly aliases: readonly string[];
  readonly groups: readonly string[];
  readonly roles: readonly Role[];
  readonly alternateEmail: string | null;
  readonly language: Language | null;
  readonly timeZone: string | null;
}

/** Validates and normalises; throws INVALID_EMAIL / INVALID_INPUT naming the field. */
export function validateUserFields(input: NewUserInput): ValidUserFields {
  const email = normalizeAddress(input.email, 'email');
  const displayName = input.displayName.trim();
  if (displayName === '' || displayName.length > 256) {
    throw new DomainError('INVALID_INPUT', 'The display name must have 1 to 256 characters.', {
      details: { field: 'displayName' },
    });
  }
  const aliases = [...new Set((input.aliases ?? []).map((a) => normalizeAddress(a, 'aliases')))].filter(
    (a) => a !== email,
  );
  const groups = [...new Set((input.groups ?? []).map((g) => g.trim()).filter((g) => g !== ''))];
  const roles: Role[] = [];
  for (const r of input.roles ?? []) {
    if (!isRole(r)) {
      throw new DomainError(
        'INVALID_INPUT',
        `"${r}" is not a role. Roles: global-admin, security-admin, user-admin, helpdesk, security-reader.`,
        {
          details: { field: 'roles' },
        },
      );
    }
    if (!roles.includes(r)) roles.push(r);
  }
  const alt = input.alternateEmail?.trim() ? normalizeAddress(input.alternateEmail, 'alternateEmail') : null;
  if (alt !== null && (alt === email || aliases.includes(alt))) {
    throw new DomainError(
      'INVALID_INPUT',
      'The alternate email must be an address outside this account (it receives reset codes).',
      {
        details: { field: 'alternateEmail' },
      },
    );
  }
  const language = input.language?.trim() ? validateLanguage(input.language) : null;
  const timeZone = input.timeZone?.trim() ? validateTimeZone(input.timeZone) : null;
  return { email, displayName, aliases, groups, roles, alternateEmail: alt, language, timeZone };
}

/** A new user with `fields`: no second factor, no lockout, never signed in, security epoch 0. */
export function newUser(
  fields: ValidUserFields,
  init: { readonly id: string; readonly orgId: string; readonly passwordHash: string | null; readonly createdAt: Date },
): User {
  return {
    id: init.id,
    orgId: init.orgId,
    ...fields,
    passwordHash: init.passwordHash,
    passwordHistory: [],
    mustChangePassword: false,
    signInBlocked: false,
    lockout: EMPTY_LOCKOUT,
    totpSecret: null,
    totpDeadline: null,
    createdAt: init.createdAt,
    lastSignInAt: null,
    securityEpoch: 0,
  };
}

/**
 * Field schemas the API bodies are built from. Kept out of api-schemas.ts on purpose: openapi.ts names
 * every schema exported there as a component, and these stay inline in the document.
 */
import { z } from 'zod';
import { describeBounds, type NumberBounds } from '../../core/policy/policy-number-bounds.js';

/** A query-string boolean: exactly "true" or "false". */
export const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** A query-string non-negative integer. */
export const QueryInt = (max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));

/** An email address as typed (checked by the core's address rules, which give the precise error). */
export const Email = z.string().min(3).max(254);

/** A password as typed; the core's password policy decides if it is strong enough. */
export const Password = z.string().min(1).max(1024);

/** A TOTP code (RFC 6238): 6 digits. */
export const TotpCode = z.string().regex(/^\d{6}$/, 'must be the 6 digits your authenticator app shows');

/** A language tag as typed (the core's locale rules give the precise error: en, fr, nb, nl, ro). */
export const LanguageField = z.string().max(16);

/** An IANA time zone as typed, e.g. "Europe/Amsterdam" (checked by the core's locale rules). */
export const TimeZoneField = z.string().max(64);

/**
 * A policy number within the core's bounds (POLICY_NUMBER_BOUNDS): the API refuses exactly what the
 * core would, in the core's words ("must be a whole number from 1 to 1000"), and /openapi.json
 * publishes the same minimum and maximum.
 */
export const BoundedNumber = (bounds: NumberBounds) => {
  const error = `must be ${describeBounds(bounds)}`;
  const number = z.number({ error }).min(bounds.min, { error }).max(bounds.max, { error });
  return bounds.isInteger ? number.int({ error }) : number;
};

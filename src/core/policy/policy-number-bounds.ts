/**
 * The bounds of every number in an outbound spam policy, written once. The core refuses a value
 * outside them (INVALID_INPUT, policy-validation.ts); the API's request schemas and the portal's
 * policy form are built from this table, so the three accept exactly the same values
 * (test/core/policy/policy-number-bounds.test.ts holds them to it).
 */
import type { SendingLimits } from './outbound-policy.js';

/** The inclusive range of one policy number; with `isInteger` a fraction is refused too. */
export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  readonly isInteger: boolean;
}

/** Custom policy priorities run from 0 (evaluated first) to this; the default policy is always last. */
export const MAX_CUSTOM_PRIORITY = 1_000_000;

const whole = (min: number, max: number): NumberBounds => Object.freeze({ min, max, isInteger: true });

/**
 * Bounds of each policy number, by field name (a sending limit by its name inside `limits`).
 * Recipient limits are per sliding hour or 24 hours, where 0 means no limit; messagesPerMinute
 * and recipientsPerMessage always apply, so they start at 1. spamScoreThreshold is on the built-in
 * scorer's scale, whose weights are whole numbers (content-scorer.ts WEIGHTS), and a message at or
 * above it is spam, so 0 would refuse every message. spamWindowMinutes runs up to a week.
 */
export const POLICY_NUMBER_BOUNDS = Object.freeze({
  externalPerHour: whole(0, 100_000),
  internalPerHour: whole(0, 100_000),
  perDay: whole(0, 1_000_000),
  messagesPerMinute: whole(1, 10_000),
  recipientsPerMessage: whole(1, 5_000),
  spamVerdictsToRestrict: whole(1, 1_000),
  spamWindowMinutes: whole(1, 10_080),
  spamScoreThreshold: whole(1, 1_000),
  unblockCap: whole(0, 1_000),
  unblockWindowDays: whole(1, 3_650),
  priority: whole(0, MAX_CUSTOM_PRIORITY),
}) satisfies Readonly<Record<keyof SendingLimits, NumberBounds>>;

/** The name of a bounded policy number: a sending limit, a spam or unblock setting, or `priority`. */
export type PolicyNumberField = keyof typeof POLICY_NUMBER_BOUNDS;

/** "a whole number from 1 to 1000" (or "a number from ..."): the one wording of a range, in the core and the API. */
export function describeBounds(bounds: NumberBounds): string {
  return `${bounds.isInteger ? 'a whole number' : 'a number'} from ${bounds.min} to ${bounds.max}`;
}

/** True when `value` is a finite number within `bounds` (and whole, if the bounds require it). */
export function isWithinBounds(bounds: NumberBounds, value: number): boolean {
  return (
    Number.isFinite(value) &&
    (!bounds.isInteger || Number.isInteger(value)) &&
    value >= bounds.min &&
    value <= bounds.max
  );
}

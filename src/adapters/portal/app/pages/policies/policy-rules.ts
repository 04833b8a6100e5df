import { POLICY_NUMBER_BOUNDS, type NumberBounds } from '../../../../../core/policy/policy-number-bounds.js';
import type { PolicyDto, PolicyUpdateRequest } from '../../../../shared/api-schemas-admin.js';

/** The actions a policy may take when a limit is reached, in the order the editors offer them. */
export const POLICY_ACTIONS: readonly PolicyDto['action'][] = ['restrict-until-tomorrow', 'restrict', 'alert'];

const field = <K extends string>(key: K, bounds: NumberBounds) => ({ key, ...bounds });

/** The numeric fields of the policy form, with the core's bounds (the API's are built from the same table). */
export const NUMBER_FIELDS = [
  field('limits.externalPerHour', POLICY_NUMBER_BOUNDS.externalPerHour),
  field('limits.internalPerHour', POLICY_NUMBER_BOUNDS.internalPerHour),
  field('limits.perDay', POLICY_NUMBER_BOUNDS.perDay),
  field('limits.messagesPerMinute', POLICY_NUMBER_BOUNDS.messagesPerMinute),
  field('limits.recipientsPerMessage', POLICY_NUMBER_BOUNDS.recipientsPerMessage),
  field('spamVerdictsToRestrict', POLICY_NUMBER_BOUNDS.spamVerdictsToRestrict),
  field('spamWindowMinutes', POLICY_NUMBER_BOUNDS.spamWindowMinutes),
  field('spamScoreThreshold', POLICY_NUMBER_BOUNDS.spamScoreThreshold),
  field('unblockCap', POLICY_NUMBER_BOUNDS.unblockCap),
  field('unblockWindowDays', POLICY_NUMBER_BOUNDS.unblockWindowDays),
] as const;

export type NumberField = (typeof NUMBER_FIELDS)[number];
export type NumberKey = NumberField['key'];
export type PolicyForm = Record<NumberKey, string> & { action: PolicyDto['action']; autoForwarding: boolean };

export function formFromPolicy(p: PolicyDto): PolicyForm {
  return {
    'limits.externalPerHour': String(p.limits.externalPerHour),
    'limits.internalPerHour': String(p.limits.internalPerHour),
    'limits.perDay': String(p.limits.perDay),
    'limits.messagesPerMinute': String(p.limits.messagesPerMinute),
    'limits.recipientsPerMessage': String(p.limits.recipientsPerMessage),
    spamVerdictsToRestrict: String(p.spamVerdictsToRestrict),
    spamWindowMinutes: String(p.spamWindowMinutes),
    spamScoreThreshold: String(p.spamScoreThreshold),
    unblockCap: String(p.unblockCap),
    unblockWindowDays: String(p.unblockWindowDays),
    action: p.action,
    autoForwarding: p.autoForwarding,
  };
}

/** A field's problem, as an i18n key plus values, or null when the value is valid. */
export function checkField(
  field: NumberField,
  raw: string,
): { key: string; values: { min: number; max: number } } | null {
  const text = raw.trim();
  const value = Number(text);
  const values = { min: field.min, max: field.max };
  if (text === '' || !Number.isFinite(value)) return { key: 'policies.invalid.number', values };
  if (field.isInteger && !Number.isInteger(value)) return { key: 'policies.invalid.integer', values };
  if (value < field.min || value > field.max)
    return { key: field.isInteger ? 'policies.invalid.integer' : 'policies.invalid.number', values };
  return null;
}

/** The PUT body for a valid form. */
export function requestFromForm(f: PolicyForm): PolicyUpdateRequest {
  const n = (k: NumberKey) => Number(f[k].trim());
  return {
    limits: {
      externalPerHour: n('limits.externalPerHour'),
      internalPerHour: n('limits.internalPerHour'),
      perDay: n('limits.perDay'),
      messagesPerMinute: n('limits.messagesPerMinute'),
      recipientsPerMessage: n('limits.recipientsPerMessage'),
    },
    action: f.action,
    spamVerdictsToRestrict: n('spamVerdictsToRestrict'),
    spamWindowMinutes: n('spamWindowMinutes'),
    spamScoreThreshold: n('spamScoreThreshold'),
    unblockCap: n('unblockCap'),
    unblockWindowDays: n('unblockWindowDays'),
    autoForwarding: f.autoForwarding,
  };
}

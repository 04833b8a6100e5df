/**
 * One range per policy number. If this fails, the portal's form or the API accepts a value the
 * core then refuses (the admin saves, and gets an error the form said could not happen), or one
 * of them refuses a value the core allows, or the form names a range the server does not use.
 * Each field is tried at min, max, min - 1, max + 1 and, where whole numbers are required, at a
 * fraction inside the range, through the real core checks, the real zod request schemas and the
 * real portal form rules. No fakes.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../../src/core/policy/outbound-policy.js';
import {
  POLICY_NUMBER_BOUNDS,
  describeBounds,
  type PolicyNumberField,
} from '../../../src/core/policy/policy-number-bounds.js';
import { checkPriority, validatePolicyPatch } from '../../../src/core/policy/policy-validation.js';
import { PolicyUpdateRequest } from '../../../src/adapters/shared/api-schemas-admin.js';
import {
  CustomPolicyCreateRequest,
  CustomPolicyUpdateRequest,
} from '../../../src/adapters/shared/api-schemas-accounts.js';
import { CustomWhatIfRequest, WhatIfRequest } from '../../../src/adapters/shared/api-schemas-what-if.js';
import { NUMBER_FIELDS, checkField } from '../../../src/adapters/portal/app/pages/policies/policy-rules.js';
import {
  checkCustomForm,
  type CustomPolicyForm,
} from '../../../src/adapters/portal/app/pages/policies/custom-policy-rules.js';

const FIELDS = Object.keys(POLICY_NUMBER_BOUNDS) as PolicyNumberField[];
const LIMITS = new Set<string>(Object.keys(DEFAULT_LIMITS));

/** The request body (and core patch) that sets only `field` to `value`. */
function bodyOf(field: PolicyNumberField, value: number): Record<string, unknown> {
  return LIMITS.has(field) ? { limits: { [field]: value } } : { [field]: value };
}

/** The core's answer: null when accepted, else the refusal. */
function coreRefusal(field: PolicyNumberField, value: number): DomainError | null {
  try {
    if (field === 'priority') checkPriority(value);
    else validatePolicyPatch(bodyOf(field, value));
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
}

const CUSTOM_BASE = { name: 'Sales', priority: 10, scope: { groups: ['Sales'] } };

/** Whether every API request schema that carries `field` accepts `value`; they must agree with each other too. */
function apiAccepts(field: PolicyNumberField, value: number): boolean {
  const body = bodyOf(field, value);
  const answers = [
    CustomPolicyUpdateRequest.safeParse(body).success,
    CustomPolicyCreateRequest.safeParse({ ...CUSTOM_BASE, ...body }).success,
    CustomWhatIfRequest.safeParse(body).success,
  ];
  if (field !== 'priority') {
    answers.push(PolicyUpdateRequest.safeParse(body).success, WhatIfRequest.safeParse(body).success);
  }
  expect(new Set(answers).size, `the API's schemas disagree on ${field} = ${value}`).toBe(1);
  return answers[0] ?? false;
}

const CUSTOM_FORM: CustomPolicyForm = {
  'limits.externalPerHour': '500',
  'limits.internalPerHour': '1000',
  'limits.perDay': '2000',
  'limits.messagesPerMinute': '30',
  'limits.recipientsPerMessage': '500',
  name: 'Sales',
  priority: '10',
  users: '',
  groups: 'Sales',
  domains: '',
  action: 'restrict',
};

/** The portal's answer: null when the form accepts the value, else the range its message names. */
function portalRefusal(field: PolicyNumberField, value: number): { min: number; max: number } | null {
  if (field === 'priority') {
    const problem = checkCustomForm({ ...CUSTOM_FORM, priority: String(value) }, []).priority;
    return problem === undefined ? null : (problem.values as { min: number; max: number });
  }
  const key = LIMITS.has(field) ? `limits.${field}` : field;
  const rule = NUMBER_FIELDS.find((f) => f.key === key);
  expect(rule, `the portal's policy form has no field ${key}`).toBeDefined();
  return rule === undefined ? null : (checkField(rule, String(value))?.values ?? null);
}

describe('policy number bounds: core, API and portal accept the same range', () => {
  it('the portal form has a field for every bounded number but the priority (the custom policy drawer has that)', () => {
    const formKeys = NUMBER_FIELDS.map((f) => f.key.replace(/^limits\./, '')).sort();
    expect(formKeys).toEqual(FIELDS.filter((f) => f !== 'priority').sort());
  });

  describe.each(FIELDS)('%s', (field) => {
    const b = POLICY_NUMBER_BOUNDS[field];
    const cases: [string, number, boolean][] = [
      ['min', b.min, true],
      ['max', b.max, true],
      ['min - 1', b.min - 1, false],
      ['max + 1', b.max + 1, false],
      ...(b.isInteger ? ([['a fraction', b.min + 0.5, false]] as [string, number, boolean][]) : []),
    ];

    it.each(cases)('at %s (%d): accepted = %s by all three', (_label, value, isAccepted) => {
      const core = coreRefusal(field, value);
      expect(core === null, `core on ${field} = ${value}`).toBe(isAccepted);
      expect(apiAccepts(field, value), `API on ${field} = ${value}`).toBe(isAccepted);
      const portal = portalRefusal(field, value);
      expect(portal === null, `portal on ${field} = ${value}`).toBe(isAccepted);
      if (core !== null) {
        // The portal's message and the core's refusal name the same range.
        expect(core.code).toBe('INVALID_INPUT');
        expect(core.message).toBe(`${field} must be ${describeBounds(b)}.`);
        expect(core.details).toMatchObject({ field, min: b.min, max: b.max });
        expect(portal).toEqual({ min: b.min, max: b.max });
      }
    });
  });

  it("the API refuses in the core's words, naming the field and its range", () => {
    const r = PolicyUpdateRequest.safeParse({ spamVerdictsToRestrict: 1001 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ['spamVerdictsToRestrict'],
      message: 'must be a whole number from 1 to 1000',
    });
  });
});

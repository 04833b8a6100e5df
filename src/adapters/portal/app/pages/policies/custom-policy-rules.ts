import { POLICY_NUMBER_BOUNDS } from '../../../../../core/policy/policy-number-bounds.js';
import type { PolicyDto } from '../../../../shared/api-schemas-admin.js';
import type { CustomPolicyCreateRequest } from '../../../../shared/api-schemas-accounts.js';
import { NUMBER_FIELDS, checkField } from './policy-rules.js';
import type { NumberField, NumberKey } from './policy-rules.js';

/** The five sending limits: a custom policy's own numbers; its other settings are copied from the default. */
export type LimitKey = Extract<NumberKey, `limits.${string}`>;
export const LIMIT_FIELDS = NUMBER_FIELDS.filter((f): f is Extract<NumberField, { key: LimitKey }> =>
  f.key.startsWith('limits.'),
);

export type ScopeKey = 'users' | 'groups' | 'domains';
export const SCOPE_KEYS: readonly ScopeKey[] = ['users', 'groups', 'domains'];

export type CustomPolicyForm = Record<LimitKey, string> &
  Record<ScopeKey, string> & { name: string; priority: string; action: PolicyDto['action'] };

/** A field's problem as an i18n key plus its values. */
export type Problem = { key: string; values?: Record<string, string | number> };
export type FormField = 'name' | 'priority' | 'scope' | ScopeKey | LimitKey;

// The API's bounds (CustomPolicyCreateRequest and PolicyScopeRequest); the priority's are the core's.
const NAME_MAX = 64;
const PRIORITY = { min: POLICY_NUMBER_BOUNDS.priority.min, max: POLICY_NUMBER_BOUNDS.priority.max };
const SCOPE_ENTRY_MAX: Record<ScopeKey, number> = { users: 254, groups: 256, domains: 253 };

/** "a@x.com, b@x.com" or one per line -> entries, trimmed, without duplicates. */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\n,;]+/)) {
    const entry = raw.trim();
    if (entry === '' || seen.has(entry.toLowerCase())) continue;
    seen.add(entry.toLowerCase());
    out.push(entry);
  }
  return out;
}

const limitsOf = (p: PolicyDto): Record<LimitKey, string> => ({
  'limits.externalPerHour': String(p.limits.externalPerHour),
  'limits.internalPerHour': String(p.limits.internalPerHour),
  'limits.perDay': String(p.limits.perDay),
  'limits.messagesPerMinute': String(p.limits.messagesPerMinute),
  'limits.recipientsPerMessage': String(p.limits.recipientsPerMessage),
});

/** A new policy starts from the default's limits and action, after the last priority in use. */
export function formForNew(defaults: PolicyDto, existing: readonly PolicyDto[]): CustomPolicyForm {
  const last = existing.reduce((max, p) => Math.max(max, p.priority), 0);
  return {
    ...limitsOf(defaults),
    name: '',
    priority: String(Math.min(PRIORITY.max, last + 10)),
    users: '',
    groups: '',
    domains: '',
    action: defaults.action,
  };
}

export function formFromCustom(p: PolicyDto): CustomPolicyForm {
  return {
    ...limitsOf(p),
    name: p.name,
    priority: String(p.priority),
    users: p.scope.users.join('\n'),
    groups: p.scope.groups.join('\n'),
    domains: p.scope.domains.join('\n'),
    action: p.action,
  };
}

function checkScopeEntry(key: ScopeKey, entry: string): Problem | null {
  if (entry.length > SCOPE_ENTRY_MAX[key])
    return { key: 'customPolicies.invalid.tooLong', values: { value: entry, max: SCOPE_ENTRY_MAX[key] } };
  if (key === 'users' && !/^[^\s@]+@[^\s@]+$/.test(entry))
    return { key: 'customPolicies.invalid.user', values: { value: entry } };
  if (key === 'domains' && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(entry))
    return { key: 'customPolicies.invalid.domain', values: { value: entry } };
  return null;
}

/** Every problem of the form, the way the API would judge it (so most mistakes never leave the page). */
export function checkCustomForm(
  form: CustomPolicyForm,
  others: readonly PolicyDto[],
): Partial<Record<FormField, Problem>> {
  const problems: Partial<Record<FormField, Problem>> = {};
  const name = form.name.trim();
  if (name === '') problems.name = { key: 'customPolicies.invalid.nameRequired' };
  else if (name.length > NAME_MAX)
    problems.name = { key: 'customPolicies.invalid.nameTooLong', values: { max: NAME_MAX } };
  else if (others.some((p) => p.name.toLowerCase() === name.toLowerCase()))
    problems.name = { key: 'customPolicies.invalid.nameTaken' };

  const priorityText = form.priority.trim();
  const priority = Number(priorityText);
  if (priorityText === '' || !Number.isInteger(priority) || priority < PRIORITY.min || priority > PRIORITY.max)
    problems.priority = { key: 'policies.invalid.integer', values: PRIORITY };
  else {
    const clash = others.find((p) => p.priority === priority);
    if (clash !== undefined) problems.priority = { key: 'customPolicies.invalid.priorityTaken' };
  }

  let entries = 0;
  for (const key of SCOPE_KEYS) {
    const list = splitList(form[key]);
    entries += list.length;
    for (const entry of list) {
      const problem = checkScopeEntry(key, entry);
      if (problem !== null) {
        problems[key] = problem;
        break;
      }
    }
  }
  if (entries === 0) problems.scope = { key: 'customPolicies.invalid.scopeRequired' };

  for (const field of LIMIT_FIELDS) {
    const problem = checkField(field, form[field.key]);
    if (problem !== null) problems[field.key] = problem;
  }
  return problems;
}

/** The POST body (and the PUT body: a given scope replaces the old one) for a valid form. */
export function requestFromCustomForm(f: CustomPolicyForm): CustomPolicyCreateRequest {
  const n = (k: LimitKey) => Number(f[k].trim());
  return {
    name: f.name.trim(),
    priority: Number(f.priority.trim()),
    scope: { users: splitList(f.users), groups: splitList(f.groups), domains: splitList(f.domains) },
    limits: {
      externalPerHour: n('limits.externalPerHour'),
      internalPerHour: n('limits.internalPerHour'),
      perDay: n('limits.perDay'),
      messagesPerMinute: n('limits.messagesPerMinute'),
      recipientsPerMessage: n('limits.recipientsPerMessage'),
    },
    action: f.action,
  };
}

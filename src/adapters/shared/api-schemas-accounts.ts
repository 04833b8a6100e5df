/**
 * Request and reply bodies for app passwords and custom outbound spam policies, as zod 4
 * schemas with their DTO types (the rest of the API is in api-schemas.ts, the same rules apply:
 * replies never carry a stored secret, request objects are strict).
 */
import { z } from 'zod';
import { POLICY_NUMBER_BOUNDS } from '../../core/policy/policy-number-bounds.js';
import { IsoDate } from './api-schemas.js';
import { BoundedNumber } from './api-schemas-fields.js';
import { PolicyDto, PolicyUpdateRequest } from './api-schemas-admin.js';

// ---------------------------------------------------------------- app passwords

/** One of the signed-in user's app passwords: never its secret or hash. */
export const AppPasswordDto = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: IsoDate,
  /** The last successful SMTP sign-in with it, or null. */
  lastUsedAt: IsoDate.nullable(),
});
export type AppPasswordDto = z.infer<typeof AppPasswordDto>;

export const AppPasswordListDto = z.object({ items: z.array(AppPasswordDto) });
export type AppPasswordListDto = z.infer<typeof AppPasswordListDto>;

/** POST /api/v1/me/app-passwords */
export const CreateAppPasswordRequest = z.strictObject({ name: z.string().min(1).max(64) });
export type CreateAppPasswordRequest = z.infer<typeof CreateAppPasswordRequest>;

/** `password` is in this reply once and nowhere else; only its SHA-256 is stored. */
export const AppPasswordCreatedDto = z.object({ id: z.string(), name: z.string(), password: z.string() });
export type AppPasswordCreatedDto = z.infer<typeof AppPasswordCreatedDto>;

// ---------------------------------------------------------------- custom outbound spam policies

const ScopeList = (item: z.ZodString) => z.array(item).max(1000).optional();

/** Who a custom policy covers: users as email addresses, group names, domains. At least one entry in all. */
export const PolicyScopeRequest = z.strictObject({
  users: ScopeList(z.string().min(3).max(254)),
  groups: ScopeList(z.string().min(1).max(256)),
  domains: ScopeList(z.string().min(1).max(253)),
});
export type PolicyScopeRequest = z.infer<typeof PolicyScopeRequest>;

const PolicyName = z.string().min(1).max(64);
const Priority = BoundedNumber(POLICY_NUMBER_BOUNDS.priority);

/** POST /api/v1/policies/outbound-spam/custom: settings not given are copied from the default policy. */
export const CustomPolicyCreateRequest = PolicyUpdateRequest.extend({
  name: PolicyName,
  priority: Priority,
  scope: PolicyScopeRequest,
});
export type CustomPolicyCreateRequest = z.infer<typeof CustomPolicyCreateRequest>;

/** PUT /api/v1/policies/outbound-spam/custom/{id}: any subset; a given scope replaces the old one. */
export const CustomPolicyUpdateRequest = PolicyUpdateRequest.extend({
  name: PolicyName.optional(),
  priority: Priority.optional(),
  scope: PolicyScopeRequest.optional(),
});
export type CustomPolicyUpdateRequest = z.infer<typeof CustomPolicyUpdateRequest>;

/** Custom policies in the order they are matched (lowest priority first; first match wins). */
export const PolicyListDto = z.object({ items: z.array(PolicyDto) });
export type PolicyListDto = z.infer<typeof PolicyListDto>;

/**
 * Request and reply bodies of the admin routes (policies, alerts, audit log, API tokens), as zod 4
 * schemas with their DTO types; the rules of api-schemas.ts apply.
 */
import { z } from 'zod';
import { AlertTypeSchema, IsoDate, RoleSchema } from './api-schemas.js';
import { POLICY_NUMBER_BOUNDS } from '../../core/policy/policy-number-bounds.js';
import { BoundedNumber, QueryBool, QueryInt } from './api-schemas-fields.js';
import { AlertDeliveryDto } from './api-schemas-alerts.js';

// ---------------------------------------------------------------- policies

export const SendingLimitsDto = z.object({
  externalPerHour: z.number().int().min(0),
  internalPerHour: z.number().int().min(0),
  perDay: z.number().int().min(0),
  messagesPerMinute: z.number().int().min(1),
  recipientsPerMessage: z.number().int().min(1),
});
export type SendingLimitsDto = z.infer<typeof SendingLimitsDto>;

export const LimitActionSchema = z.enum(['restrict-until-tomorrow', 'restrict', 'alert']);

/** The outbound spam policy. */
export const PolicyDto = z.object({
  id: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  priority: z.number(),
  scope: z.object({ users: z.array(z.string()), groups: z.array(z.string()), domains: z.array(z.string()) }),
  limits: SendingLimitsDto,
  action: LimitActionSchema,
  spamVerdictsToRestrict: z.number().int(),
  spamWindowMinutes: z.number().int(),
  spamScoreThreshold: z.number(),
  unblockCap: z.number().int(),
  unblockWindowDays: z.number().int(),
  autoForwarding: z.boolean(),
  updatedAt: IsoDate,
});
export type PolicyDto = z.infer<typeof PolicyDto>;

/** PUT /api/v1/policies/outbound-spam: any subset; limits may be partial. Bounds are the core's. */
export const PolicyUpdateRequest = z.strictObject({
  limits: z
    .strictObject({
      externalPerHour: BoundedNumber(POLICY_NUMBER_BOUNDS.externalPerHour),
      internalPerHour: BoundedNumber(POLICY_NUMBER_BOUNDS.internalPerHour),
      perDay: BoundedNumber(POLICY_NUMBER_BOUNDS.perDay),
      messagesPerMinute: BoundedNumber(POLICY_NUMBER_BOUNDS.messagesPerMinute),
      recipientsPerMessage: BoundedNumber(POLICY_NUMBER_BOUNDS.recipientsPerMessage),
    })
    .partial()
    .optional(),
  action: LimitActionSchema.optional(),
  spamVerdictsToRestrict: BoundedNumber(POLICY_NUMBER_BOUNDS.spamVerdictsToRestrict).optional(),
  spamWindowMinutes: BoundedNumber(POLICY_NUMBER_BOUNDS.spamWindowMinutes).optional(),
  spamScoreThreshold: BoundedNumber(POLICY_NUMBER_BOUNDS.spamScoreThreshold).optional(),
  unblockCap: BoundedNumber(POLICY_NUMBER_BOUNDS.unblockCap).optional(),
  unblockWindowDays: BoundedNumber(POLICY_NUMBER_BOUNDS.unblockWindowDays).optional(),
  autoForwarding: z.boolean().optional(),
});
export type PolicyUpdateRequest = z.infer<typeof PolicyUpdateRequest>;

// ---------------------------------------------------------------- alerts

export const AlertDto = z.object({
  id: z.string(),
  type: AlertTypeSchema,
  severity: z.enum(['high', 'medium', 'low', 'informational']),
  title: z.string(),
  userId: z.string().nullable(),
  userEmail: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  createdAt: IsoDate,
  resolvedAt: IsoDate.nullable(),
  resolvedBy: z.string().nullable(),
  /** The email and webhook deliveries (listing only). */
  deliveries: z.array(AlertDeliveryDto).optional(),
});
export type AlertDto = z.infer<typeof AlertDto>;

export const AlertPageDto = z.object({ items: z.array(AlertDto), total: z.number().int() });
export type AlertPageDto = z.infer<typeof AlertPageDto>;

export const AlertListQuery = z.strictObject({
  type: AlertTypeSchema.optional(),
  open: QueryBool.optional(),
  offset: QueryInt(1_000_000_000).optional(),
  limit: QueryInt(500).optional(),
});
export type AlertListQuery = z.infer<typeof AlertListQuery>;

// ---------------------------------------------------------------- audit

export const ActorDto = z.object({
  kind: z.enum(['user', 'token', 'cli', 'system']),
  id: z.string(),
  label: z.string(),
  address: z.string().optional(),
});
export type ActorDto = z.infer<typeof ActorDto>;

/** One entry of the hash-chained audit log. */
export const AuditEntryDto = z.object({
  seq: z.number().int(),
  at: IsoDate,
  actor: ActorDto,
  action: z.string(),
  target: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  prevHash: z.string(),
  hash: z.string(),
  /** Id of the HMAC key of the entry; null on plain SHA-256 entries written before schema 5. */
  keyId: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;

export const AuditPageDto = z.object({ items: z.array(AuditEntryDto), total: z.number().int() });
export type AuditPageDto = z.infer<typeof AuditPageDto>;

/** GET /api/v1/audit-log and /audit-log/export.csv query; from/to are ISO timestamps. */
export const AuditListQuery = z.strictObject({
  action: z.string().max(200).optional(),
  actor: z.string().max(254).optional(),
  /** A user's email: what they did or what was done to them (exact). */
  user: z.string().max(254).optional(),
  target: z.string().max(300).optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  offset: QueryInt(1_000_000_000).optional(),
  limit: QueryInt(500).optional(),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

/** GET /api/v1/audit-log/export: entries from `since` on, as JSON lines (default) or CSV. */
export const AuditExportQuery = z.strictObject({
  since: IsoDate.optional(),
  format: z.enum(['jsonl', 'csv']).optional(),
});
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** A signed audit checkpoint (seq, hash, at, HMAC signature). */
export const AuditCheckpointDto = z.object({ seq: z.number().int(), hash: z.string(), at: IsoDate, sig: z.string() });

/** POST /api/v1/audit-log/verify: the result of `audit verify`. */
export const AuditVerifyDto = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  problem: z
    .enum([
      'chain',
      'wrong-secret',
      'tail-removed',
      'emptied',
      'rewritten',
      'checkpoint-edited',
      'checkpoint-missing',
      'unsealed',
    ])
    .nullable(),
  brokenEntry: z.number().int().nullable(),
  message: z.string(),
  checkpoint: AuditCheckpointDto.nullable(),
});
export type AuditVerifyDto = z.infer<typeof AuditVerifyDto>;

// ---------------------------------------------------------------- API tokens

export const ApiTokenDto = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  createdAt: IsoDate,
  expiresAt: IsoDate.nullable(),
  revokedAt: IsoDate.nullable(),
  lastUsedAt: IsoDate.nullable(),
  createdBy: z.string(),
});
export type ApiTokenDto = z.infer<typeof ApiTokenDto>;

export const TokenListDto = z.object({ items: z.array(ApiTokenDto) });
export type TokenListDto = z.infer<typeof TokenListDto>;

export const CreateTokenRequest = z.strictObject({
  role: RoleSchema,
  name: z.string().min(1).max(100).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

/** `token` (sw_<id>_<secret>) is shown in this reply once; only its SHA-256 is stored. */
export const TokenCreatedDto = z.object({ token: z.string(), apiToken: ApiTokenDto });
export type TokenCreatedDto = z.infer<typeof TokenCreatedDto>;

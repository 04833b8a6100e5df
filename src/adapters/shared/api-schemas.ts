/**
 * The HTTP API's request and reply bodies as zod 4 schemas, and their DTO types.
 * One source for three things: the server validates with them, /openapi.json is generated
 * from them (z.toJSONSchema), and the portal's typed client imports the types.
 * Replies never carry a secret: no password hash, TOTP secret, token hash or reset code.
 * Request objects are strict: an unknown field is a 400 INVALID_INPUT, not silently ignored.
 */
import { z } from 'zod';
import { Email, LanguageField, Password, QueryBool, QueryInt, TimeZoneField } from './api-schemas-fields.js';
import { ERROR_CODES } from '../../core/errors.js';
import { ACTIONS, ROLES } from '../../core/roles/roles.js';
import { UNBLOCK_STEPS } from '../../core/restrictions/restriction.js';
import { ALERT_TYPES } from '../../core/alerts/alert.js';

// ---------------------------------------------------------------- building blocks

/** An ISO 8601 UTC timestamp, e.g. "2026-11-22T10:00:00.000Z". */
export const IsoDate = z.iso.datetime({ offset: true });
export const RoleSchema = z.enum(ROLES);
export const ActionSchema = z.enum(ACTIONS);
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export const UnblockStepSchema = z.enum(UNBLOCK_STEPS);
export const AlertTypeSchema = z.enum(ALERT_TYPES);

/**
 * A `{id}` path segment: a user id, an email address or an alias. Deliberately narrow (the
 * characters of core/directory/address.ts plus UUID characters) so "../", "%2F", NUL and
 * backslashes never reach a store or a file path.
 */
export const IdParam = z
  .string()
  .min(1)
  .max(254)
  .regex(/^[A-Za-z0-9!#$%&'*+=?^_`{|}~@.-]+$/, 'may hold only letters, digits and the characters of an email address')
  .refine((v) => !v.includes('..') && !v.startsWith('.'), 'may not contain ".." or start with "."');
export const IdParams = z.strictObject({ id: IdParam });
export type IdParams = z.infer<typeof IdParams>;

// ---------------------------------------------------------------- errors

/** Every error reply: `{ error: { code, message, details? } }` (contract.md). */
export const ErrorDto = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorDto = z.infer<typeof ErrorDto>;

/** A plain acknowledgement. */
export const OkDto = z.object({ ok: z.literal(true) });
export type OkDto = z.infer<typeof OkDto>;

// ---------------------------------------------------------------- users

/** A directory user as admins see it: no password hash, history, TOTP secret or lockout internals. */
export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  aliases: z.array(z.string()),
  groups: z.array(z.string()),
  roles: z.array(RoleSchema),
  signInBlocked: z.boolean(),
  /** End of the current lockout (the later of both counters), or null. */
  lockedUntil: IsoDate.nullable(),
  isRestricted: z.boolean(),
  mustChangePassword: z.boolean(),
  alternateEmail: z.string().nullable(),
  /** Language of the email sent to the user (en, fr, nb, nl, ro); null: the organisation default. */
  language: z.string().nullable(),
  /** IANA time zone of the times in that email; null: the organisation default. */
  timeZone: z.string().nullable(),
  /** True when an authenticator app is enrolled (the secret itself never leaves the server). */
  totpEnrolled: z.boolean(),
  createdAt: IsoDate,
  lastSignInAt: IsoDate.nullable(),
});
export type UserDto = z.infer<typeof UserDto>;

export const UserPageDto = z.object({ items: z.array(UserDto), total: z.number().int() });
export type UserPageDto = z.infer<typeof UserPageDto>;

/** GET /api/v1/users query. */
export const UserListQuery = z.strictObject({
  search: z.string().max(254).optional(),
  signInBlocked: QueryBool.optional(),
  locked: QueryBool.optional(),
  restricted: QueryBool.optional(),
  role: RoleSchema.optional(),
  offset: QueryInt(1_000_000_000).optional(),
  limit: QueryInt(500).optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

/** POST /api/v1/users */
export const CreateUserRequest = z.strictObject({
  email: Email,
  displayName: z.string().min(1).max(256),
  aliases: z.array(Email).max(100).optional(),
  groups: z.array(z.string().min(1).max(256)).max(100).optional(),
  roles: z.array(RoleSchema).optional(),
  alternateEmail: Email.nullable().optional(),
  language: LanguageField.nullable().optional(),
  timeZone: TimeZoneField.nullable().optional(),
  password: Password.optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

/** PATCH /api/v1/users/{id} */
export const UpdateUserRequest = z.strictObject({
  displayName: z.string().min(1).max(256).optional(),
  aliases: z.array(Email).max(100).optional(),
  groups: z.array(z.string().min(1).max(256)).max(100).optional(),
  roles: z.array(RoleSchema).optional(),
  alternateEmail: Email.nullable().optional(),
  language: LanguageField.nullable().optional(),
  timeZone: TimeZoneField.nullable().optional(),
});
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

/** POST /api/v1/users/{id}/reset-password: omit `password` to have one generated. */
export const ResetPasswordRequest = z.strictObject({
  password: Password.optional(),
  mustChangePassword: z.boolean().optional(),
});
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

/** The temporary password is in this reply once and nowhere else. */
export const ResetPasswordReply = z.object({ temporaryPassword: z.string(), user: UserDto });
export type ResetPasswordReply = z.infer<typeof ResetPasswordReply>;

/** PUT /api/v1/users/{id}/sign-in-status */
export const SignInStatusRequest = z.strictObject({ blocked: z.boolean() });
export type SignInStatusRequest = z.infer<typeof SignInStatusRequest>;

/** POST /api/v1/users/{id}/secure-account */
export const SecureAccountRequest = z.strictObject({
  blockSignIn: z.boolean().optional(),
  unblock: z.boolean().optional(),
});
export type SecureAccountRequest = z.infer<typeof SecureAccountRequest>;

/** What "secure account" did: the counts, and the temporary password (shown once). */
export const SecureAccountReply = z.object({
  user: UserDto,
  temporaryPassword: z.string(),
  sessionsRevoked: z.number().int(),
  appPasswordsRevoked: z.number().int(),
  signInBlocked: z.boolean(),
  unblocked: z.boolean(),
  stepsDone: z.array(UnblockStepSchema),
});
export type SecureAccountReply = z.infer<typeof SecureAccountReply>;

// ---------------------------------------------------------------- messages and outbox

/** One line of the message log. */
export const MessageDto = z.object({
  id: z.string(),
  at: IsoDate,
  userId: z.string().nullable(),
  sender: z.string(),
  recipientsInternal: z.number().int(),
  recipientsExternal: z.number().int(),
  recipientsRefused: z.number().int(),
  size: z.number().int(),
  subject: z.string().nullable(),
  /** The first recipients (at most 5; recipientsInternal + recipientsExternal say how many); empty on records from before schema 8. */
  recipients: z.array(z.string()),
  spamScore: z.number().nullable(),
  isSpam: z.boolean(),
  outcome: z.enum(['relayed', 'captured', 'rejected', 'deferred']),
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  nextHopReply: z.string().nullable(),
  clientAddress: z.string().nullable(),
  /** The external scanner's (Rspamd's) verdict: action, score and strongest symbols (e.g. GTUBE); null when it did not score the message. */
  scanner: z
    .object({ name: z.string(), action: z.string(), score: z.number(), symbols: z.array(z.string()) })
    .nullable(),
  /** The scorers that called the message spam: "builtin", "rspamd". */
  spamBy: z.array(z.string()),
});
export type MessageDto = z.infer<typeof MessageDto>;

export const MessagePageDto = z.object({ items: z.array(MessageDto), total: z.number().int() });
export type MessagePageDto = z.infer<typeof MessagePageDto>;

export const PageQuery = z.strictObject({
  offset: QueryInt(1_000_000_000).optional(),
  limit: QueryInt(500).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** One message in the capture outbox (no next hop configured). */
export const OutboxItemDto = z.object({
  id: z.string(),
  at: IsoDate,
  from: z.string(),
  to: z.array(z.string()),
  size: z.number().int(),
  subject: z.string().nullable(),
  /** Sendwarden's own mail with a secret in it (a reset code): listed to global admins only. */
  holdsSecret: z.boolean(),
});
export type OutboxItemDto = z.infer<typeof OutboxItemDto>;

export const OutboxListDto = z.object({ items: z.array(OutboxItemDto), total: z.number().int() });
export type OutboxListDto = z.infer<typeof OutboxListDto>;

/** One captured message with its raw RFC 5322 text. */
export const OutboxMessageDto = OutboxItemDto.extend({
  raw: z.string(),
  /** True when the secret in `raw` is replaced by asterisks (POST .../reveal shows it, audited). */
  masked: z.boolean(),
});
export type OutboxMessageDto = z.infer<typeof OutboxMessageDto>;

// ---------------------------------------------------------------- restrictions

export const RestrictionEvidenceDto = z.object({
  rule: z.string(),
  summary: z.string(),
  counts: z.record(z.string(), z.number()),
  limit: z.number().optional(),
  verdicts: z
    .array(
      z.object({
        messageId: z.string(),
        score: z.number(),
        at: z.string(),
        by: z.array(z.string()).optional(),
        scanner: z.string().optional(),
        scannerAction: z.string().optional(),
        scannerScore: z.number().optional(),
        symbols: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type RestrictionEvidenceDto = z.infer<typeof RestrictionEvidenceDto>;

/** One restriction (active or past). */
export const RestrictionDto = z.object({
  id: z.string(),
  userId: z.string(),
  kind: z.enum(['until-tomorrow', 'until-unblocked']),
  evidence: RestrictionEvidenceDto,
  restrictedAt: IsoDate,
  releaseAt: IsoDate.nullable(),
  releasedAt: IsoDate.nullable(),
  releasedBy: z.string().nullable(),
  releaseKind: z.enum(['unblock', 'auto']).nullable(),
  stepsDone: z.array(UnblockStepSchema),
});
export type RestrictionDto = z.infer<typeof RestrictionDto>;

/** A row of Review > Restricted users. */
export const RestrictedUserDto = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  /** The evidence summary, a sentence a person can read. */
  reason: z.string(),
  rule: z.string(),
  /** The count of the rule that fired (evidence.counts[rule]); null when the evidence has none. Clients word the reason from it. */
  count: z.number().nullable(),
  /** The limit that was crossed; null when the rule is not a limit. */
  limit: z.number().nullable(),
  /** The window the count covers, in minutes (60 for hourly limits, the policy's window for spam verdicts); null when unknown. */
  windowMinutes: z.number().nullable(),
  restrictedAt: IsoDate,
  /** Automatic release time, or null: "until an admin unblocks". */
  releaseAt: IsoDate.nullable(),
  kind: z.enum(['until-tomorrow', 'until-unblocked']),
});
export type RestrictedUserDto = z.infer<typeof RestrictedUserDto>;

export const RestrictedListDto = z.object({ items: z.array(RestrictedUserDto), total: z.number().int() });
export type RestrictedListDto = z.infer<typeof RestrictedListDto>;

export const SearchQuery = z.strictObject({ search: z.string().max(254).optional() });
export type SearchQuery = z.infer<typeof SearchQuery>;

/** The Unblock flyout: evidence, history, how many unblocks are left and the recent messages. */
export const RestrictionDetailDto = RestrictedUserDto.extend({
  restrictionId: z.string(),
  user: UserDto,
  evidence: RestrictionEvidenceDto,
  history: z.array(RestrictionDto),
  unblocksLeft: z.number().int(),
  /** The published cap: at most unblockCap unblocks per user within unblockWindowDays. */
  unblockCap: z.number().int(),
  unblockWindowDays: z.number().int(),
  recentMessages: z.array(MessageDto),
});
export type RestrictionDetailDto = z.infer<typeof RestrictionDetailDto>;

/** POST /api/v1/restricted-users/{id}/unblock: `confirm: true` is required (CONFIRMATION_REQUIRED otherwise). */
export const UnblockRequest = z.strictObject({
  confirm: z.boolean().optional(),
  stepsDone: z.array(UnblockStepSchema).optional(),
  /** The optional last step: false-positive teaches Rspamd ham, confirmed-hijack spam, from the kept messages. */
  verdict: z.enum(['false-positive', 'confirmed-hijack']).optional(),
});
export type UnblockRequest = z.infer<typeof UnblockRequest>;

/** What learning from the unblock verdict did; a failure never undoes the unblock. */
export const LearnOutcomeDto = z.object({
  state: z.enum(['none', 'not-configured', 'nothing-kept', 'learned', 'failed']),
  kind: z.enum(['ham', 'spam']).nullable(),
  messages: z.number().int(),
  learned: z.number().int(),
  /** Rspamd's last answer, or why learning failed. */
  detail: z.string().nullable(),
});
export type LearnOutcomeDto = z.infer<typeof LearnOutcomeDto>;

/** The unblocked restriction and what learning did. */
export const UnblockReply = RestrictionDto.extend({ learning: LearnOutcomeDto });
export type UnblockReply = z.infer<typeof UnblockReply>;

/** One message kept as evidence (subject and recipients are user content: show as text). */
export const EvidenceMessageDto = z.object({
  id: z.string(),
  at: IsoDate,
  kind: z.enum(['spam', 'send-as']),
  subject: z.string().nullable(),
  /** The first 5 recipients; recipientCount says how many there were. */
  recipients: z.array(z.string()),
  recipientCount: z.number().int(),
  spamScore: z.number(),
  spamBy: z.array(z.string()),
  scanner: z
    .object({ name: z.string(), action: z.string(), score: z.number(), symbols: z.array(z.string()) })
    .nullable(),
  reason: z.string(),
  size: z.number().int(),
  /** True when only the first 1 MB was kept. */
  truncated: z.boolean(),
});
export type EvidenceMessageDto = z.infer<typeof EvidenceMessageDto>;

/** GET /api/v1/restricted-users/{id}/evidence: the newest restriction's kept messages, newest first. */
export const EvidenceListDto = z.object({
  restrictionId: z.string(),
  items: z.array(EvidenceMessageDto),
  total: z.number().int(),
});
export type EvidenceListDto = z.infer<typeof EvidenceListDto>;

/** GET .../evidence/{messageId}: one kept message as text (audited). */
export const EvidenceOpenDto = EvidenceMessageDto.extend({
  /** The kept bytes as UTF-8 text (headers and body as sent, at most 1 MB). */
  text: z.string(),
});
export type EvidenceOpenDto = z.infer<typeof EvidenceOpenDto>;

export const EvidenceParams = z.strictObject({ id: IdParam, messageId: z.string().min(1).max(100) });
export type EvidenceParams = z.infer<typeof EvidenceParams>;

// ---------------------------------------------------------------- home and health

/** The Home page: restricted users now, open alerts, last 24 h by hour, top senders. */
export const OverviewDto = z.object({
  restrictedCount: z.number().int(),
  openAlerts: z.number().int(),
  hourly: z.array(z.object({ hour: IsoDate, relayed: z.number().int(), refused: z.number().int() })),
  topSenders: z.array(z.object({ sender: z.string(), count: z.number().int() })),
});
export type OverviewDto = z.infer<typeof OverviewDto>;

export const HealthDto = z.object({
  /** ok; degraded: mail flows but the content scanner (Rspamd) is away (still 200); unavailable: 503. */
  status: z.enum(['ok', 'degraded', 'unavailable']),
  store: z.enum(['ok', 'unavailable']),
  counters: z.enum(['ok', 'unavailable']),
  /** The external content scanner (Rspamd); absent when none is configured. */
  contentScanner: z.enum(['ok', 'unavailable']).optional(),
});
export type HealthDto = z.infer<typeof HealthDto>;

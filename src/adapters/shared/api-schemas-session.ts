/**
 * Request and reply bodies of signing in (sessions, TOTP, the signed-in user) and of the self-service
 * password reset, as zod 4 schemas with their DTO types; the rules of api-schemas.ts apply.
 */
import { z } from 'zod';
import { MFA_STATES } from '../../core/auth/totp.js';
import { ActionSchema, IsoDate, UserDto } from './api-schemas.js';
import { Email, LanguageField, Password, TimeZoneField, TotpCode } from './api-schemas-fields.js';

// ---------------------------------------------------------------- sessions, MFA, me

export const SignInRequest = z.strictObject({ email: Email, password: Password });
export type SignInRequest = z.infer<typeof SignInRequest>;

export const TotpCodeRequest = z.strictObject({ code: TotpCode });
export type TotpCodeRequest = z.infer<typeof TotpCodeRequest>;

/** GET /api/v1/session/totp/enrolment: the secret to enrol, as text, otpauth:// URL and QR code (SVG). */
export const TotpEnrolmentDto = z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() });
export type TotpEnrolmentDto = z.infer<typeof TotpEnrolmentDto>;

/**
 * Where the session stands on the second factor: done; required (enrolled, code not yet given);
 * enrol (admin without TOTP: enrol now, or postpone until totpDeadline).
 */
export const MfaStateSchema = z.enum(MFA_STATES);

/** The signed-in user, what they may do, and the CSRF token to send as x-csrf-token on every non-GET. */
export const MeDto = z.object({
  user: UserDto,
  permissions: z.array(ActionSchema),
  csrfToken: z.string(),
  mfa: MfaStateSchema,
  /** Admins without TOTP may postpone enrolment until this time; null when enrolled or not an admin. */
  totpDeadline: IsoDate.nullable(),
  sessionId: z.string(),
  sessionExpiresAt: IsoDate,
});
export type MeDto = z.infer<typeof MeDto>;

export const SessionDto = z.object({
  id: z.string(),
  createdAt: IsoDate,
  lastSeenAt: IsoDate,
  expiresAt: IsoDate,
  mfaDone: z.boolean(),
  address: z.string().nullable(),
  userAgent: z.string().nullable(),
  isCurrent: z.boolean(),
});
export type SessionDto = z.infer<typeof SessionDto>;

export const SessionListDto = z.object({ items: z.array(SessionDto) });
export type SessionListDto = z.infer<typeof SessionListDto>;

/** PATCH /api/v1/me: your own email language and time zone (null: the organisation default). */
export const UpdateMeRequest = z.strictObject({
  language: LanguageField.nullable().optional(),
  timeZone: TimeZoneField.nullable().optional(),
});
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;

export const ChangePasswordRequest = z.strictObject({ currentPassword: Password, newPassword: Password });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

// ---------------------------------------------------------------- self-service password reset

export const ResetStartRequest = z.strictObject({ email: Email });
export type ResetStartRequest = z.infer<typeof ResetStartRequest>;

/** Always the same reply, whether or not the email belongs to anyone (no user enumeration). */
export const ResetStartReply = z.object({ accepted: z.literal(true), message: z.string() });
export type ResetStartReply = z.infer<typeof ResetStartReply>;

export const ResetCompleteRequest = z.strictObject({
  email: Email,
  code: z
    .string()
    .regex(/^\d{6,8}$/, 'must be the code from the email')
    .optional(),
  totp: TotpCode.optional(),
  newPassword: Password,
});
export type ResetCompleteRequest = z.infer<typeof ResetCompleteRequest>;

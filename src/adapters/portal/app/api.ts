/**
 * The portal's one typed API client (pages never call fetch). JSON in and out, the session cookie
 * (same-origin), the CSRF header on every non-GET, and `{ error: { code, message } }` turned into
 * an ApiError the pages show through ApiErrorBar.
 */
import type {
  ErrorDto,
  MessagePageDto,
  OutboxListDto,
  OutboxMessageDto,
  OverviewDto,
  ResetPasswordReply,
  ResetPasswordRequest,
  RestrictedListDto,
  RestrictionDetailDto,
  SecureAccountReply,
  SecureAccountRequest,
  UnblockRequest,
  UnblockReply,
  EvidenceListDto,
  EvidenceOpenDto,
  UserDto,
  UserPageDto,
} from '../../shared/api-schemas.js';
import type {
  AlertDto,
  AlertPageDto,
  AuditPageDto,
  AuditVerifyDto,
  PolicyDto,
  PolicyUpdateRequest,
} from '../../shared/api-schemas-admin.js';
import type {
  MeDto,
  ResetCompleteRequest,
  TotpEnrolmentDto,
  SessionListDto,
} from '../../shared/api-schemas-session.js';
import type {
  AppPasswordCreatedDto,
  AppPasswordListDto,
  CustomPolicyCreateRequest,
  CustomPolicyUpdateRequest,
  PolicyListDto,
} from '../../shared/api-schemas-accounts.js';
import type { CustomWhatIfRequest, WhatIfReportDto, WhatIfRequest } from '../../shared/api-schemas-what-if.js';

/** Codes the client adds to the server's catalogue: no answer at all, or an answer that is not ours. */
export type ClientErrorCode = 'NETWORK' | 'BAD_RESPONSE';

/** A failed call: the server's stable code and its sentence, or a client-side code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorDto['error']['code'] | ClientErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: ApiError['code'],
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /**
   * The form field this error belongs to, if any: the core names it in details.field ("password"),
   * request validation in details.issues[0].field ("body.limits.perDay" -> "limits.perDay").
   */
  get field(): string | undefined {
    const field = this.details['field'];
    if (typeof field === 'string') return field;
    const issues = this.details['issues'];
    const first: unknown = Array.isArray(issues) ? issues[0] : undefined;
    const issueField = typeof first === 'object' && first !== null ? (first as { field?: unknown }).field : undefined;
    return typeof issueField === 'string' ? issueField.replace(/^body\./, '') : undefined;
  }
}

type Query = Readonly<Record<string, string | number | boolean | undefined | null>>;

interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** When false, a 401 is only thrown (sign-in and self-service calls, the first /me). */
  readonly redirectOn401?: boolean;
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => undefined;

/** Remember the session's CSRF token (from MeDto); null after sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when the session is gone (the app sends the user to sign-in and back afterwards). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function buildUrl(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

function isErrorBody(value: unknown): value is ErrorDto {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(`/api/v1${path}`, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (response.ok) {
    if (text !== '' && parsed === undefined) throw new ApiError(response.status, 'BAD_RESPONSE', text.slice(0, 200));
    return parsed as T;
  }
  const error = isErrorBody(parsed)
    ? new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error.details ?? {})
    : new ApiError(response.status, response.status >= 500 ? 'INTERNAL' : 'BAD_RESPONSE', response.statusText);
  if (response.status === 401 && options.redirectOn401 !== false) onUnauthenticated();
  throw error;
}

export type UserListParams = {
  search?: string;
  signInBlocked?: boolean;
  locked?: boolean;
  restricted?: boolean;
  offset?: number;
  limit?: number;
};

export type AuditParams = {
  action?: string;
  actor?: string;
  user?: string;
  from?: string;
  to?: string;
  offset?: number;
  limit?: number;
};

const enc = encodeURIComponent;

/** Every call the portal makes, typed with the API's own DTOs. */
export const api = {
  // session and self-service
  me: (): Promise<MeDto> => request('GET', '/me', { redirectOn401: false }),
  updateMe: (body: { language?: string | null; timeZone?: string | null }): Promise<MeDto> =>
    request('PATCH', '/me', { body }),
  signIn: (email: string, password: string): Promise<MeDto> =>
    request('POST', '/session', { body: { email, password }, redirectOn401: false }),
  verifyTotp: (code: string): Promise<unknown> =>
    request('POST', '/session/totp', { body: { code }, redirectOn401: false }),
  totpEnrolment: (): Promise<TotpEnrolmentDto> => request('GET', '/session/totp/enrolment', { redirectOn401: false }),
  enrolTotp: (code: string): Promise<unknown> =>
    request('POST', '/session/totp/enrol', { body: { code }, redirectOn401: false }),
  postponeTotp: (): Promise<unknown> => request('POST', '/session/totp/postpone', { redirectOn401: false }),
  signOut: (): Promise<unknown> => request('DELETE', '/session', { redirectOn401: false }),
  changePassword: (currentPassword: string, newPassword: string): Promise<unknown> =>
    request('POST', '/me/password', { body: { currentPassword, newPassword } }),
  listSessions: (): Promise<SessionListDto> => request('GET', '/sessions'),
  revokeSession: (id: string): Promise<unknown> => request('DELETE', `/sessions/${enc(id)}`),
  startReset: (email: string): Promise<unknown> =>
    request('POST', '/self-service/reset/start', { body: { email }, redirectOn401: false }),
  completeReset: (body: ResetCompleteRequest): Promise<unknown> =>
    request('POST', '/self-service/reset/complete', { body, redirectOn401: false }),

  // the signed-in user's own app passwords (SMTP AUTH for mail programs)
  listAppPasswords: (): Promise<AppPasswordListDto> => request('GET', '/me/app-passwords'),
  createAppPassword: (name: string): Promise<AppPasswordCreatedDto> =>
    request('POST', '/me/app-passwords', { body: { name } }),
  revokeAppPassword: (id: string): Promise<unknown> => request('DELETE', `/me/app-passwords/${enc(id)}`),

  // home
  overview: (): Promise<OverviewDto> => request('GET', '/overview'),

  // users
  listUsers: (params: UserListParams): Promise<UserPageDto> => request('GET', '/users', { query: params }),
  getUser: (id: string): Promise<UserDto> => request('GET', `/users/${enc(id)}`),
  resetPassword: (id: string, body: ResetPasswordRequest): Promise<ResetPasswordReply> =>
    request('POST', `/users/${enc(id)}/reset-password`, { body }),
  setSignInStatus: (id: string, blocked: boolean): Promise<unknown> =>
    request('PUT', `/users/${enc(id)}/sign-in-status`, { body: { blocked } }),
  unlockUser: (id: string): Promise<unknown> => request('POST', `/users/${enc(id)}/unlock`, { body: {} }),
  secureAccount: (id: string, body: SecureAccountRequest = {}): Promise<SecureAccountReply> =>
    request('POST', `/users/${enc(id)}/secure-account`, { body }),
  userMessages: (id: string, limit = 10): Promise<MessagePageDto> =>
    request('GET', `/users/${enc(id)}/messages`, { query: { limit } }),

  // restricted users
  listRestricted: (search?: string): Promise<RestrictedListDto> =>
    request('GET', '/restricted-users', { query: { search } }),
  getRestricted: (id: string): Promise<RestrictionDetailDto> => request('GET', `/restricted-users/${enc(id)}`),
  unblock: (id: string, body: UnblockRequest): Promise<UnblockReply> =>
    request('POST', `/restricted-users/${enc(id)}/unblock`, { body }),
  /** The messages kept as evidence for the user's newest restriction (restricted.unblock). */
  listEvidence: (id: string): Promise<EvidenceListDto> => request('GET', `/restricted-users/${enc(id)}/evidence`),
  /** One kept message as text; the server audits the view. */
  openEvidence: (id: string, messageId: string): Promise<EvidenceOpenDto> =>
    request('GET', `/restricted-users/${enc(id)}/evidence/${enc(messageId)}`),

  // policies
  getPolicy: (): Promise<PolicyDto> => request('GET', '/policies/outbound-spam'),
  updatePolicy: (body: PolicyUpdateRequest): Promise<PolicyDto> => request('PUT', '/policies/outbound-spam', { body }),
  /** What-if: the log replayed through these settings; nothing is saved. */
  whatIfPolicy: (body: WhatIfRequest): Promise<WhatIfReportDto> =>
    request('POST', '/policies/outbound-spam/what-if', { body }),
  whatIfCustomPolicy: (id: string, body: CustomWhatIfRequest): Promise<WhatIfReportDto> =>
    request('POST', `/policies/outbound-spam/custom/${enc(id)}/what-if`, { body }),
  listCustomPolicies: (): Promise<PolicyListDto> => request('GET', '/policies/outbound-spam/custom'),
  createCustomPolicy: (body: CustomPolicyCreateRequest): Promise<PolicyDto> =>
    request('POST', '/policies/outbound-spam/custom', { body }),
  updateCustomPolicy: (id: string, body: CustomPolicyUpdateRequest): Promise<PolicyDto> =>
    request('PUT', `/policies/outbound-spam/custom/${enc(id)}`, { body }),
  deleteCustomPolicy: (id: string): Promise<unknown> => request('DELETE', `/policies/outbound-spam/custom/${enc(id)}`),

  // alerts
  listAlerts: (params: { open?: boolean; offset?: number; limit?: number }): Promise<AlertPageDto> =>
    request('GET', '/alerts', { query: params }),
  resolveAlert: (id: string): Promise<AlertDto> => request('POST', `/alerts/${enc(id)}/resolve`, { body: {} }),

  // audit log
  listAudit: (params: AuditParams): Promise<AuditPageDto> => request('GET', '/audit-log', { query: params }),
  verifyAudit: (): Promise<AuditVerifyDto> => request('POST', '/audit-log/verify'),

  // capture outbox
  listOutbox: (params: { offset?: number; limit?: number } = {}): Promise<OutboxListDto> =>
    request('GET', '/outbox', { query: params }),
  getOutboxItem: (id: string): Promise<OutboxMessageDto> => request('GET', `/outbox/${enc(id)}`),
  revealOutboxItem: (id: string): Promise<OutboxMessageDto> => request('POST', `/outbox/${enc(id)}/reveal`),
} as const;

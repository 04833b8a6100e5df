import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { ActiveSession } from '../../../core/auth/session-service.js';
import { bannerDeadline, mfaStateOf } from '../../../core/auth/totp.js';
import { ACTIONS, can } from '../../../core/roles/roles.js';
import { IdParams } from '../../shared/api-schemas.js';
import {
  ChangePasswordRequest,
  MeDto,
  SessionListDto,
  SignInRequest,
  TotpCodeRequest,
  TotpEnrolmentDto,
  UpdateMeRequest,
} from '../../shared/api-schemas-session.js';
import { toSessionDto, toUserDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { SESSION_COOKIE, csrfTokenFor, defineRoute, type AnyRouteDef } from '../route.js';

function isTls(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  // A spoofed "https" only makes the attacker's own cookie Secure: harmless, so no trustProxy needed here.
  return request.protocol === 'https' || first === 'https';
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  void reply.setCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: isTls(request),
    maxAge: maxAgeSeconds,
  });
}

/** MeDto: the signed-in user, their permissions, the CSRF token and where the second factor stands. */
export async function buildMe(deps: HttpDeps, a: ActiveSession): Promise<MeDto> {
  const restricted = (await deps.restrictions.activeRestriction(a.user.id)) !== undefined;
  return {
    user: toUserDto(a.user, deps.clock.now(), restricted),
    permissions: ACTIONS.filter((action) => can({ actorRoles: a.user.roles, action })),
    csrfToken: csrfTokenFor(deps.csrfKey, a.session.id),
    mfa: mfaStateOf(a.user, a.session),
    totpDeadline: bannerDeadline(a.user)?.toISOString() ?? null,
    sessionId: a.session.id,
    sessionExpiresAt: a.session.expiresAt.toISOString(),
  };
}

/** Sign-in, second factor, sign-out, own sessions and own password. */
export function registerSessionRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  const signInLimit = { max: deps.rateLimits?.signInPerMinute ?? 10, timeWindow: '1 minute' };
  const totpLimit = { max: deps.rateLimits?.totpPerMinute ?? 10, timeWindow: '1 minute' };

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/session',
    tag: 'session',
    summary: 'Sign in to the portal with email and password; sets the sw_session cookie',
    description: 'Admins must then pass TOTP (POST /api/v1/session/totp) or enrol; MeDto.mfa says which.',
    auth: 'public',
    body: SignInRequest,
    reply: MeDto,
    rateLimit: signInLimit,
    handler: async (ctx) => {
      const started = await deps.sessions.signIn({
        email: ctx.body.email,
        password: ctx.body.password,
        address: ctx.address,
        userAgent: ctx.request.headers['user-agent'] ?? null,
      });
      setSessionCookie(
        ctx.request,
        ctx.reply,
        started.cookie,
        Math.floor((started.session.expiresAt.getTime() - deps.clock.now().getTime()) / 1000),
      );
      return buildMe(deps, started);
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/session/totp',
    tag: 'session',
    summary: 'Second step: the 6-digit code of the enrolled authenticator app',
    auth: 'session',
    body: TotpCodeRequest,
    reply: MeDto,
    rateLimit: totpLimit,
    handler: async (ctx) => buildMe(deps, await deps.sessions.verifyTotp(ctx.session(), ctx.body.code, ctx.address)),
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/session/totp/enrolment',
    tag: 'session',
    summary: 'The secret to enrol in an authenticator app, as text, otpauth:// URL and QR code (SVG)',
    auth: 'session',
    reply: TotpEnrolmentDto,
    handler: async (ctx) => {
      const { secret, otpauthUrl } = deps.sessions.enrolment(ctx.session());
      const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      void ctx.reply.header('cache-control', 'no-store');
      return { secret, otpauthUrl, qrSvg };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/session/totp/enrol',
    tag: 'session',
    summary: 'Finish enrolment with a code from the app; the second step of this session is then done',
    auth: 'session',
    body: TotpCodeRequest,
    reply: MeDto,
    rateLimit: totpLimit,
    handler: async (ctx) => buildMe(deps, await deps.sessions.enrolTotp(ctx.session(), ctx.body.code, ctx.address)),
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/session/totp/postpone',
    tag: 'session',
    summary: 'Admins: postpone TOTP enrolment (until 14 days after the first sign-in at most)',
    auth: 'session',
    reply: MeDto,
    handler: async (ctx) => buildMe(deps, await deps.sessions.postponeEnrolment(ctx.session(), ctx.address)),
  });

  defineRoute(app, deps, registry, {
    method: 'DELETE',
    url: '/api/v1/session',
    tag: 'session',
    summary: 'Sign out: ends this session and clears the cookie',
    auth: 'session',
    reply: null,
    status: 204,
    handler: async (ctx) => {
      await deps.sessions.signOut(ctx.session(), ctx.address);
      setSessionCookie(ctx.request, ctx.reply, '', 0);
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/me',
    tag: 'session',
    summary: 'The signed-in user, permissions, CSRF token and second-factor state',
    auth: 'session',
    reply: MeDto,
    handler: async (ctx) => buildMe(deps, ctx.session()),
  });

  defineRoute(app, deps, registry, {
    method: 'PATCH',
    url: '/api/v1/me',
    tag: 'session',
    summary: 'Set the language and time zone of the email Sendwarden sends you (null: the organisation default)',
    auth: 'session',
    body: UpdateMeRequest,
    reply: MeDto,
    handler: async (ctx) => {
      const a = ctx.session();
      const user = await deps.directory.updateOwnLocale(ctx.principal(), ctx.body);
      return buildMe(deps, { session: a.session, user });
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/me/password',
    tag: 'session',
    summary: 'Change your own password (also the forced change after an admin reset)',
    auth: 'session',
    body: ChangePasswordRequest,
    reply: MeDto,
    rateLimit: signInLimit,
    handler: async (ctx) => {
      const a = ctx.session();
      const user = await deps.directory.changeOwnPassword(a.user.id, ctx.body.currentPassword, ctx.body.newPassword);
      return buildMe(deps, { session: a.session, user });
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/sessions',
    tag: 'session',
    summary: 'Your live portal sessions',
    auth: 'session',
    reply: SessionListDto,
    handler: async (ctx) => {
      const a = ctx.session();
      return { items: (await deps.sessions.listOwn(a)).map((s) => toSessionDto(s, a.session.id)) };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'DELETE',
    url: '/api/v1/sessions/:id',
    tag: 'session',
    summary: 'Revoke a session: your own, or anyone\'s with the "sessions.revoke" permission',
    auth: 'principal',
    params: IdParams,
    reply: null,
    status: 204,
    handler: async (ctx) => {
      await deps.sessions.revoke(ctx.principal(), ctx.params.id);
    },
  });
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import type { ActiveSession } from '../../core/auth/session-service.js';
import { mfaStateOf } from '../../core/auth/totp.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import type { Principal } from '../../core/roles/principal.js';
import type { HttpDeps } from './http-deps.js';
import { parseInput } from './validate.js';

export const SESSION_COOKIE = 'sw_session';

/**
 * Who may call a route:
 * - public: anyone (sign-in, self-service reset, health, docs);
 * - session: a portal session, even before its second factor or a forced password change;
 * - principal: an API token, or a portal session with the second factor done and no forced password change.
 */
export type AuthMode = 'public' | 'session' | 'principal';

/** What a handler gets: validated input, and the caller (ask for what the route's AuthMode guarantees). */
export interface RouteContext<B, Q, P> {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** Client address (request.ip; X-Forwarded-For only when trustProxy is on). */
  readonly address: string | null;
  /** The acting Principal; UNAUTHENTICATED on a public route without credentials. */
  principal(): Principal;
  /** The portal session; UNAUTHENTICATED when the caller used a token or nothing. */
  session(): ActiveSession;
}

/** One API route: its schemas feed validation and /openapi.json alike, so they cannot drift apart. */
export interface RouteDef<
  BS extends z.ZodType | undefined,
  QS extends z.ZodType | undefined,
  PS extends z.ZodType | undefined,
> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify syntax: /api/v1/users/:id */
  readonly url: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly auth: AuthMode;
  readonly body?: BS;
  readonly query?: QS;
  readonly params?: PS;
  /** Reply body schema (JSON); null for 204 / non-JSON replies. */
  readonly reply: z.ZodType | null;
  readonly status?: number;
  /** Content type of a non-JSON reply (text/csv, text/html, text/plain). */
  readonly produces?: string;
  /** Per-client-address limit, on top of the core's own rules. */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: string };
  handler(ctx: RouteContext<Out<BS>, Out<QS>, Out<PS>>): Promise<unknown>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

// The registry of every route defined through `defineRoute`, for /openapi.json.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRouteDef = RouteDef<any, any, any>;

/** The CSRF token of a session: HMAC-SHA-256(csrfKey, session id), derived on demand, never stored. */
export function csrfTokenFor(csrfKey: Uint8Array, sessionId: string): string {
  return createHmac('sha256', csrfKey).update(`csrf\n${sessionId}`).digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Caller {
  principal: Principal | null;
  active: ActiveSession | null;
}

async function identify(
  deps: HttpDeps,
  request: FastifyRequest,
  mode: AuthMode,
  address: string | null,
): Promise<Caller> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError('TOKEN_INVALID', 'Send the API token as "Authorization: Bearer sw_...".');
    if (mode === 'session')
      throw new DomainError(
        'UNAUTHENTICATED',
        'This endpoint belongs to the portal and needs a portal session, not an API token.',
      );
    return { principal: await deps.tokens.verify(match[1]!, address), active: null };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') {
    if (mode === 'public') return { principal: null, active: null };
    throw new DomainError('UNAUTHENTICATED', 'Sign in, or send an API token as "Authorization: Bearer sw_...".');
  }
  let active: ActiveSession;
  try {
    active = await deps.sessions.authenticate(cookie);
  } catch (err) {
    if (mode === 'public') return { principal: null, active: null };
    throw err;
  }
  // A cookie rides along on any request the browser sends, so a state change needs proof that the
  // page itself sent it: the CSRF token from MeDto in the x-csrf-token header (SameSite=Strict is the second line).
  if (mode !== 'public' && !SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameSecret(sent, csrfTokenFor(deps.csrfKey, active.session.id))) {
      throw new DomainError(
        'CSRF_INVALID',
        'The request lacks a valid x-csrf-token header. Reload the page and try again.',
      );
    }
  }
  if (mode === 'principal') {
    const mfa = mfaStateOf(active.user, active.session);
    if (mfa !== 'done') {
      throw new DomainError(
        'TOTP_REQUIRED',
        mfa === 'required'
          ? 'Enter the code from your authenticator app first.'
          : 'Enrol an authenticator app (or postpone while allowed) first.',
        {
          details: { mfa },
        },
      );
    }
    if (active.user.mustChangePassword) {
      throw new DomainError(
        'PASSWORD_CHANGE_REQUIRED',
        'Choose a new password before you go on (POST /api/v1/me/password).',
      );
    }
  }
  return { principal: deps.sessions.principalOf(active, address), active };
}

/** Registers one route on Fastify and records it for /openapi.json. */
export function defineRoute<
  BS extends z.ZodType | undefined,
  QS extends z.ZodType | undefined,
  PS extends z.ZodType | undefined,
>(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[], def: RouteDef<BS, QS, PS>): void {
  registry.push(def);
  app.route({
    method: def.method as HTTPMethods,
    url: def.url,
    ...(def.rateLimit
      ? { config: { rateLimit: { max: def.rateLimit.max, timeWindow: def.rateLimit.timeWindow } } }
      : {}),
    handler: async (request, reply) => {
      const address = request.ip || null;
      const caller = await identify(deps, request, def.auth, address);
      const params = (def.params ? parseInput(def.params, request.params, 'path') : undefined) as Out<PS>;
      const query = (def.query ? parseInput(def.query, request.query, 'query') : undefined) as Out<QS>;
      if (
        !def.body &&
        request.body !== undefined &&
        request.body !== null &&
        def.method !== 'GET' &&
        def.method !== 'DELETE'
      ) {
        if (typeof request.body !== 'object' || Object.keys(request.body).length > 0) {
          throw new DomainError('INVALID_INPUT', 'This endpoint takes no request body.', {
            details: { where: 'body' },
          });
        }
      }
      const body = (def.body ? parseInput(def.body, request.body, 'body') : undefined) as Out<BS>;
      const ctx: RouteContext<Out<BS>, Out<QS>, Out<PS>> = {
        request,
        reply,
        body,
        query,
        params,
        address,
        principal: () => {
          if (!caller.principal) throw new DomainError('UNAUTHENTICATED', 'Sign in first.');
          return caller.principal;
        },
        session: () => {
          if (!caller.active) throw new DomainError('UNAUTHENTICATED', 'This endpoint needs a portal session.');
          return caller.active;
        },
      };
      let result: unknown;
      try {
        result = await def.handler(ctx);
      } catch (err) {
        // A service that audited its own refusal says so (`audited`), so it is recorded once.
        if (isDomainError(err, 'FORBIDDEN') && caller.principal && err.details?.['audited'] !== true) {
          const permission = String(err.details?.['permission'] ?? 'unknown');
          await deps.audit
            .recordDenied(caller.principal, permission, `${def.method} ${def.url}`)
            .catch(() => undefined);
        }
        throw err;
      }
      if (reply.sent) return reply;
      const status = def.status ?? 200;
      if (status === 204) return reply.code(204).send();
      return reply.code(status).send(result);
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { OkDto } from '../../shared/api-schemas.js';
import { ResetCompleteRequest, ResetStartReply, ResetStartRequest } from '../../shared/api-schemas-session.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

const ACCEPTED = 'If the address belongs to an account with an alternate email, a code is on its way there.';

/** Self-service password reset: code to the alternate email (plus TOTP for admins). */
export function registerSelfServiceRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  const limit = { max: deps.rateLimits?.resetPerMinute ?? 5, timeWindow: '1 minute' };

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/self-service/reset/start',
    tag: 'self-service',
    summary: 'Send a reset code to the alternate email; always 202, whether or not the account exists',
    auth: 'public',
    body: ResetStartRequest,
    reply: ResetStartReply,
    status: 202,
    rateLimit: limit,
    handler: async (ctx) => {
      // Not awaited: the reply must take the same time for known and unknown addresses, and mail
      // delivery time would tell them apart. Failures are logged, never shown.
      deps.selfService
        .start(ctx.body.email, ctx.address)
        .catch((err: unknown) => ctx.request.log.error({ err }, 'self-service reset start failed'));
      return { accepted: true, message: ACCEPTED };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/self-service/reset/complete',
    tag: 'self-service',
    summary: 'Set a new password with the emailed code (admins: and a TOTP code)',
    auth: 'public',
    body: ResetCompleteRequest,
    reply: OkDto,
    rateLimit: limit,
    handler: async (ctx) => {
      await deps.selfService.complete(ctx.body, ctx.address);
      return { ok: true as const };
    },
  });
}

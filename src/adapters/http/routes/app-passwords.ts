import type { FastifyInstance } from 'fastify';
import type { AppPassword } from '../../../core/directory/user.js';
import { IdParams } from '../../shared/api-schemas.js';
import {
  AppPasswordCreatedDto,
  AppPasswordListDto,
  CreateAppPasswordRequest,
  type AppPasswordDto,
} from '../../shared/api-schemas-accounts.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

// Only the fields listed here leave the server: never the hash.
function toAppPasswordDto(a: AppPassword): AppPasswordDto {
  return {
    id: a.id,
    name: a.name,
    createdAt: a.createdAt.toISOString(),
    lastUsedAt: a.lastUsedAt === null ? null : a.lastUsedAt.toISOString(),
  };
}

/**
 * The signed-in user's own app passwords (issue 3). Auth mode "principal" although they act only on
 * the session's own user: an app password is a credential for SMTP, so a session that has not passed
 * its second factor, or must still replace a reset password, may not mint or list one. ctx.session()
 * then refuses API tokens, which belong to no mailbox.
 */
export function registerAppPasswordRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/me/app-passwords',
    tag: 'session',
    summary: 'Your app passwords for mail clients, by name and last use (never the passwords)',
    auth: 'principal',
    reply: AppPasswordListDto,
    handler: async (ctx) => {
      const { user } = ctx.session();
      return { items: (await deps.appPasswords.list(user.id)).map(toAppPasswordDto) };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/me/app-passwords',
    tag: 'session',
    summary: 'Create a named app password for SMTP AUTH; the password is in this reply only',
    auth: 'principal',
    body: CreateAppPasswordRequest,
    reply: AppPasswordCreatedDto,
    status: 201,
    handler: async (ctx) => {
      const { user } = ctx.session();
      const { appPassword, secret } = await deps.appPasswords.create(user.id, ctx.body.name, ctx.principal().actor);
      void ctx.reply.header('cache-control', 'no-store');
      return { id: appPassword.id, name: appPassword.name, password: secret };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'DELETE',
    url: '/api/v1/me/app-passwords/:id',
    tag: 'session',
    summary: 'Revoke one of your app passwords at once',
    auth: 'principal',
    params: IdParams,
    reply: null,
    status: 204,
    handler: async (ctx) => {
      const { user } = ctx.session();
      await deps.appPasswords.revoke(user.id, ctx.params.id, ctx.principal().actor);
    },
  });
}

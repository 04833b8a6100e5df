import type { FastifyInstance } from 'fastify';
import type { User } from '../../../core/directory/user.js';
import {
  CreateUserRequest,
  IdParams,
  MessagePageDto,
  PageQuery,
  ResetPasswordReply,
  ResetPasswordRequest,
  SecureAccountReply,
  SecureAccountRequest,
  SignInStatusRequest,
  UpdateUserRequest,
  UserDto,
  UserListQuery,
  UserPageDto,
} from '../../shared/api-schemas.js';
import { toMessageDto, toUserDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

/** Users > Active users: the directory, passwords, sign-in status, lockout and "secure account". */
export function registerUserRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  const dto = async (user: User): Promise<UserDto> =>
    toUserDto(user, deps.clock.now(), (await deps.restrictions.activeRestriction(user.id)) !== undefined);
  const one = { auth: 'principal' as const, params: IdParams };

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/users',
    tag: 'users',
    summary: 'Active users: search (email, name or alias, "rob" finds rob@contoso.com), filters and paging',
    auth: 'principal',
    query: UserListQuery,
    reply: UserPageDto,
    handler: async (ctx) => {
      const now = deps.clock.now();
      const q = ctx.query;
      const page = await deps.directory.listUsers(ctx.principal(), {
        search: q.search,
        signInBlocked: q.signInBlocked,
        lockedAt: q.locked === true ? now : undefined,
        restrictedAt: q.restricted === true ? now : undefined,
        role: q.role,
        offset: q.offset,
        limit: q.limit,
      });
      return { items: await Promise.all(page.items.map(dto)), total: page.total };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/users',
    tag: 'users',
    summary: 'Add a user',
    auth: 'principal',
    body: CreateUserRequest,
    reply: UserDto,
    status: 201,
    handler: async (ctx) => dto(await deps.directory.addUser(ctx.principal(), ctx.body)),
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'GET',
    url: '/api/v1/users/:id',
    tag: 'users',
    summary: 'One user, by id or email address',
    reply: UserDto,
    handler: async (ctx) => dto(await deps.directory.getUser(ctx.principal(), ctx.params.id)),
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'PATCH',
    url: '/api/v1/users/:id',
    tag: 'users',
    summary: 'Change display name, aliases, groups, roles or alternate email',
    body: UpdateUserRequest,
    reply: UserDto,
    handler: async (ctx) => dto(await deps.directory.updateUser(ctx.principal(), ctx.params.id, ctx.body)),
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'DELETE',
    url: '/api/v1/users/:id',
    tag: 'users',
    summary: 'Delete a user with their app passwords and sessions',
    reply: null,
    status: 204,
    handler: async (ctx) => {
      await deps.directory.deleteUser(ctx.principal(), ctx.params.id);
    },
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'POST',
    url: '/api/v1/users/:id/reset-password',
    tag: 'users',
    summary: 'Reset password: returns the temporary password once; ends sessions and app passwords',
    body: ResetPasswordRequest,
    reply: ResetPasswordReply,
    handler: async (ctx) => {
      const { user, temporaryPassword } = await deps.directory.resetPassword(ctx.principal(), ctx.params.id, ctx.body);
      void ctx.reply.header('cache-control', 'no-store');
      return { temporaryPassword, user: await dto(user) };
    },
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'PUT',
    url: '/api/v1/users/:id/sign-in-status',
    tag: 'users',
    summary: 'Edit sign-in status: { "blocked": true } ends every session and app password at once',
    body: SignInStatusRequest,
    reply: UserDto,
    handler: async (ctx) => dto(await deps.directory.setSignInStatus(ctx.principal(), ctx.params.id, ctx.body.blocked)),
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'POST',
    url: '/api/v1/users/:id/unlock',
    tag: 'users',
    summary: 'Unlock: clears smart lockout',
    reply: UserDto,
    handler: async (ctx) => dto(await deps.directory.unlock(ctx.principal(), ctx.params.id)),
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'POST',
    url: '/api/v1/users/:id/secure-account',
    tag: 'users',
    summary:
      'Secure account: reset password, end sessions and app passwords; optionally block sign-in or unblock sending',
    body: SecureAccountRequest,
    reply: SecureAccountReply,
    handler: async (ctx) => {
      const p = ctx.principal();
      const report = await deps.secureAccount.run(p, ctx.params.id, ctx.body);
      void ctx.reply.header('cache-control', 'no-store');
      return {
        user: await dto(await deps.directory.getUser(p, report.email)),
        temporaryPassword: report.temporaryPassword,
        sessionsRevoked: report.sessionsRevoked,
        appPasswordsRevoked: report.appPasswordsRevoked,
        signInBlocked: report.signInBlocked,
        unblocked: report.unblocked,
        stepsDone: [...report.stepsDone],
      };
    },
  });

  defineRoute(app, deps, registry, {
    ...one,
    method: 'GET',
    url: '/api/v1/users/:id/messages',
    tag: 'users',
    summary: "The user's recent messages from the message log, newest first",
    query: PageQuery,
    reply: MessagePageDto,
    handler: async (ctx) => {
      const p = ctx.principal();
      const user = await deps.directory.getUser(p, ctx.params.id);
      const page = await deps.messageReader.listForUser(p, user.id, {
        offset: ctx.query.offset,
        limit: ctx.query.limit ?? 50,
      });
      return { items: page.items.map(toMessageDto), total: page.total };
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../shared/api-schemas.js';
import { PolicyDto } from '../../shared/api-schemas-admin.js';
import {
  CustomPolicyCreateRequest,
  CustomPolicyUpdateRequest,
  PolicyListDto,
} from '../../shared/api-schemas-accounts.js';
import { toPolicyDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

/** Custom outbound spam policies for users, groups or domains (issue 4); the default stays at /policies/outbound-spam. */
export function registerCustomPolicyRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/policies/outbound-spam/custom',
    tag: 'policies',
    summary: 'Custom outbound spam policies in match order (lowest priority first; the first match wins)',
    auth: 'principal',
    reply: PolicyListDto,
    handler: async (ctx) => ({
      items: (await deps.policyAdmin.list(ctx.principal())).filter((p) => !p.isDefault).map(toPolicyDto),
    }),
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/policies/outbound-spam/custom',
    tag: 'policies',
    summary: 'Create a custom policy for users, groups or domains; unset settings are copied from the default',
    description: 'The name and the priority must be unique; the scope must name at least one user, group or domain.',
    auth: 'principal',
    body: CustomPolicyCreateRequest,
    reply: PolicyDto,
    status: 201,
    handler: async (ctx) => toPolicyDto(await deps.policyAdmin.createCustom(ctx.principal(), ctx.body)),
  });

  defineRoute(app, deps, registry, {
    method: 'PUT',
    url: '/api/v1/policies/outbound-spam/custom/:id',
    tag: 'policies',
    summary: 'Change a custom policy (any subset of fields; a given scope replaces the old one); takes effect at once',
    auth: 'principal',
    params: IdParams,
    body: CustomPolicyUpdateRequest,
    reply: PolicyDto,
    handler: async (ctx) => toPolicyDto(await deps.policyAdmin.updateCustom(ctx.principal(), ctx.params.id, ctx.body)),
  });

  defineRoute(app, deps, registry, {
    method: 'DELETE',
    url: '/api/v1/policies/outbound-spam/custom/:id',
    tag: 'policies',
    summary: 'Delete a custom policy; its users fall under the next matching policy or the default',
    auth: 'principal',
    params: IdParams,
    reply: null,
    status: 204,
    handler: async (ctx) => {
      await deps.policyAdmin.deleteCustom(ctx.principal(), ctx.params.id);
    },
  });
}

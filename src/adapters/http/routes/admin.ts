import type { FastifyInstance } from 'fastify';
import { IdParams, OutboxListDto, OutboxMessageDto } from '../../shared/api-schemas.js';
import {
  AlertDto,
  AlertListQuery,
  AlertPageDto,
  ApiTokenDto,
  AuditListQuery,
  AuditPageDto,
  CreateTokenRequest,
  PolicyDto,
  PolicyUpdateRequest,
  TokenCreatedDto,
  TokenListDto,
} from '../../shared/api-schemas-admin.js';
import { toAlertDto, toApiTokenDto, toAuditEntryDto, toOutboxItemDto, toPolicyDto } from '../dto.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

const CSV_MAX_ROWS = 100_000;

/** A CSV cell: quoted, and defused when a spreadsheet would run it as a formula (CSV injection). */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** Policies, alerts, audit log (and CSV export), capture outbox, API tokens. */
export function registerAdminRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/policies/outbound-spam',
    tag: 'policies',
    summary: 'The outbound spam policy: limits, action, spam verdicts, unblock cap',
    auth: 'principal',
    reply: PolicyDto,
    handler: async (ctx) => toPolicyDto(await deps.policyAdmin.get(ctx.principal())),
  });

  defineRoute(app, deps, registry, {
    method: 'PUT',
    url: '/api/v1/policies/outbound-spam',
    tag: 'policies',
    summary: 'Change the outbound spam policy (any subset of fields); takes effect at once',
    auth: 'principal',
    body: PolicyUpdateRequest,
    reply: PolicyDto,
    handler: async (ctx) => toPolicyDto(await deps.policyAdmin.update(ctx.principal(), ctx.body)),
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/alerts',
    tag: 'alerts',
    summary: 'Alerts, newest first; filter by type and open',
    auth: 'principal',
    query: AlertListQuery,
    reply: AlertPageDto,
    handler: async (ctx) => {
      const page = await deps.alerts.list(ctx.principal(), ctx.query);
      return { items: page.items.map(toAlertDto), total: page.total };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/alerts/:id/resolve',
    tag: 'alerts',
    summary: 'Resolve an alert',
    auth: 'principal',
    params: IdParams,
    reply: AlertDto,
    handler: async (ctx) => toAlertDto(await deps.alerts.resolve(ctx.principal(), ctx.params.id)),
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/audit-log',
    tag: 'audit',
    summary: 'The audit log, newest first; filter by action, actor, target and time',
    auth: 'principal',
    query: AuditListQuery,
    reply: AuditPageDto,
    handler: async (ctx) => {
      const q = ctx.query;
      const page = await deps.audit.list(ctx.principal(), {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      });
      return { items: page.items.map(toAuditEntryDto), total: page.total };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/audit-log/export.csv',
    tag: 'audit',
    summary: 'The audit log as CSV (same filters; at most 100 000 rows)',
    auth: 'principal',
    query: AuditListQuery,
    reply: null,
    produces: 'text/csv',
    handler: async (ctx) => {
      const p = ctx.principal();
      const q = ctx.query;
      const base = {
        action: q.action,
        actor: q.actor,
        target: q.target,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      };
      const lines = ['seq,at,actor_kind,actor,address,action,target,before,after,hash'];
      for (let offset = 0; offset < CSV_MAX_ROWS; offset += 500) {
        const page = await deps.audit.list(p, { ...base, offset, limit: 500 });
        for (const e of page.items) {
          lines.push(
            [
              e.seq,
              e.at.toISOString(),
              e.actor.kind,
              e.actor.label,
              e.actor.address ?? '',
              e.action,
              e.target,
              e.before ?? '',
              e.after ?? '',
              e.hash,
            ]
              .map(csvCell)
              .join(','),
          );
        }
        if (page.items.length < 500) break;
      }
      return ctx.reply
        .code(200)
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="sendwarden-audit-log.csv"')
        .send(`${lines.join('\r\n')}\r\n`);
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/outbox',
    tag: 'outbox',
    summary: 'The capture outbox (mail kept because no next hop is configured), newest first',
    auth: 'principal',
    reply: OutboxListDto,
    handler: async (ctx) => {
      const items = (await deps.messageReader.listOutbox(ctx.principal())).map(toOutboxItemDto);
      return { items, total: items.length };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/outbox/:id',
    tag: 'outbox',
    summary: 'One captured message with its raw text',
    auth: 'principal',
    params: IdParams,
    reply: OutboxMessageDto,
    handler: async (ctx) => {
      const { entry, raw, masked } = await deps.messageReader.readOutbox(ctx.principal(), ctx.params.id);
      return { ...toOutboxItemDto(entry), raw: raw.toString('utf8'), masked };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/outbox/:id/reveal',
    tag: 'outbox',
    summary: 'One captured message with its secret (a reset code) shown: global admins only, audited',
    auth: 'principal',
    params: IdParams,
    reply: OutboxMessageDto,
    handler: async (ctx) => {
      const { entry, raw, masked } = await deps.messageReader.readOutbox(ctx.principal(), ctx.params.id, {
        reveal: true,
      });
      return { ...toOutboxItemDto(entry), raw: raw.toString('utf8'), masked };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/tokens',
    tag: 'tokens',
    summary: 'Create an API token with one role; the token is in this reply only',
    auth: 'principal',
    body: CreateTokenRequest,
    reply: TokenCreatedDto,
    status: 201,
    handler: async (ctx) => {
      const { token, secret } = await deps.tokens.create(ctx.principal(), ctx.body);
      void ctx.reply.header('cache-control', 'no-store');
      return { token: secret, apiToken: toApiTokenDto(token) };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/tokens',
    tag: 'tokens',
    summary: 'API tokens (never their secrets)',
    auth: 'principal',
    reply: TokenListDto,
    handler: async (ctx) => ({ items: (await deps.tokens.list(ctx.principal())).map(toApiTokenDto) }),
  });

  defineRoute(app, deps, registry, {
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    tag: 'tokens',
    summary: 'Revoke an API token at once',
    auth: 'principal',
    params: IdParams,
    reply: ApiTokenDto,
    handler: async (ctx) => toApiTokenDto(await deps.tokens.revoke(ctx.principal(), ctx.params.id)),
  });
}

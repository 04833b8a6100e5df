import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AuditExportQuery, AuditVerifyDto } from '../../shared/api-schemas-admin.js';
import { auditExportLines } from '../../shared/audit-export.js';
import type { HttpDeps } from '../http-deps.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

/** The audit log's export for a SIEM (streamed) and its verification (the portal's Verify button). */
export function registerAuditRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/audit-log/export',
    tag: 'audit',
    summary:
      'The whole audit log from `since` on, streamed as JSON lines or CSV, with hashes and the newest signed checkpoint',
    auth: 'principal',
    query: AuditExportQuery,
    reply: null,
    produces: 'application/x-ndjson',
    handler: async (ctx) => {
      const p = ctx.principal();
      const format = ctx.query.format ?? 'jsonl';
      const since = ctx.query.since ? new Date(ctx.query.since) : undefined;
      // Authorise before the first byte: once streaming, a refusal can no longer become a 403.
      await deps.audit.latestCheckpoint(p);
      const lines = auditExportLines(format, deps.audit.all(p, since), () => deps.audit.latestCheckpoint(p));
      return ctx.reply
        .code(200)
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="sendwarden-audit-log.${format}"`)
        .send(Readable.from(lines));
    },
  });

  defineRoute(app, deps, registry, {
    method: 'POST',
    url: '/api/v1/audit-log/verify',
    tag: 'audit',
    summary: 'Verify the keyed chain and the newest checkpoint (audited); ok false names the problem',
    auth: 'principal',
    reply: AuditVerifyDto,
    handler: async (ctx) => {
      const v = await deps.audit.verifyAs(ctx.principal());
      return {
        ok: v.ok,
        entries: v.count,
        problem: v.problem ?? null,
        brokenEntry: v.seq ?? null,
        message: v.sentence,
        checkpoint: v.checkpoint ?? null,
      };
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { HealthDto, OverviewDto } from '../../shared/api-schemas.js';
import { DOCS_PAGE } from '../docs-page.js';
import type { HttpDeps } from '../http-deps.js';
import { buildOpenApi } from '../openapi.js';
import { DOVECOT_POLICY_OPENAPI } from './dovecot-policy.js';
import { defineRoute, type AnyRouteDef } from '../route.js';

/** Home overview, health, metrics, /openapi.json and the rendered reference at /api/docs. */
export function registerSystemRoutes(app: FastifyInstance, deps: HttpDeps, registry: AnyRouteDef[]): void {
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/v1/overview',
    tag: 'home',
    summary: 'Home: restricted users now, open alerts, last 24 h by hour, top senders',
    auth: 'principal',
    reply: OverviewDto,
    handler: async (ctx): Promise<OverviewDto> => {
      const o = await deps.overview.forPrincipal(ctx.principal());
      return {
        restrictedCount: o.restrictedCount,
        openAlerts: o.openAlerts,
        hourly: o.hourly.map((h) => ({ hour: h.hour.toISOString(), relayed: h.relayed, refused: h.refused })),
        topSenders: o.topSenders.map((t) => ({ sender: t.sender, count: t.count })),
      };
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/healthz',
    tag: 'system',
    summary:
      'Health: 200 when the store and the counters answer (status "degraded" when Rspamd is configured but away), 503 otherwise',
    auth: 'public',
    reply: HealthDto,
    handler: async (ctx) => {
      const probe = async (f: () => Promise<void>) => {
        try {
          await f();
          return 'ok' as const;
        } catch (err) {
          ctx.request.log.warn({ err }, 'health probe failed');
          return 'unavailable' as const;
        }
      };
      const scanner = deps.probes.contentScanner;
      const [store, counters, contentScanner] = await Promise.all([
        probe(() => deps.probes.store()),
        probe(() => deps.probes.counters()),
        scanner ? probe(scanner) : Promise.resolve(undefined),
      ]);
      const ok = store === 'ok' && counters === 'ok';
      // Rspamd away does not stop mail (the built-in scorer decides alone): still 200, so a load
      // balancer keeps the node, but "degraded" tells monitoring that verdicts are weaker.
      const status = !ok ? 'unavailable' : contentScanner === 'unavailable' ? 'degraded' : 'ok';
      return ctx.reply
        .code(ok ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status, store, counters, ...(contentScanner === undefined ? {} : { contentScanner }) });
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/metrics',
    tag: 'system',
    summary: 'Prometheus metrics',
    auth: 'public',
    reply: null,
    produces: 'text/plain',
    handler: async (ctx) =>
      ctx.reply
        .code(200)
        .header('content-type', deps.metrics.registry.contentType)
        .send(await deps.metrics.registry.metrics()),
  });

  let doc: unknown;
  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/openapi.json',
    tag: 'system',
    summary: 'This API as OpenAPI 3.1, generated from the schemas that validate requests',
    auth: 'public',
    reply: null,
    produces: 'application/json',
    handler: async (ctx) => {
      doc ??= buildOpenApi(registry, '1.0.0', DOVECOT_POLICY_OPENAPI);
      return ctx.reply.code(200).type('application/json; charset=utf-8').send(doc);
    },
  });

  defineRoute(app, deps, registry, {
    method: 'GET',
    url: '/api/docs',
    tag: 'system',
    summary: 'The API reference, rendered from /openapi.json (no network beyond this server)',
    auth: 'public',
    reply: null,
    produces: 'text/html',
    handler: async (ctx) =>
      ctx.reply
        .code(200)
        .header('content-security-policy', DOCS_PAGE.csp)
        .type('text/html; charset=utf-8')
        .send(DOCS_PAGE.html),
  });
}

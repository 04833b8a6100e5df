import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { DomainError } from '../../core/errors.js';
import { replyWithError } from './errors.js';
import type { HttpDeps } from './http-deps.js';
import type { AnyRouteDef } from './route.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerAppPasswordRoutes } from './routes/app-passwords.js';
import { registerCustomPolicyRoutes } from './routes/custom-policies.js';
import { registerDovecotPolicyRoutes } from './routes/dovecot-policy.js';
import { registerRestrictedRoutes } from './routes/restricted.js';
import { registerSelfServiceRoutes } from './routes/self-service.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerUserRoutes } from './routes/users.js';
import { registerWhatIfRoutes } from './routes/what-if.js';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Request bodies above 1 MB get 413 PAYLOAD_TOO_LARGE before any handler runs. */
export const BODY_LIMIT = 1_048_576;

// The portal is a same-origin SPA: scripts and styles from here only (Fluent's runtime CSS-in-JS needs
// inline styles), the QR code as a data: image, no framing (clickjacking), no plugins.
const PORTAL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const REGISTERED = new WeakMap<FastifyInstance, readonly { method: string; url: string }[]>();

/** Every route Fastify registered on a server built here (HEAD included), as the onRoute hook saw them. */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return REGISTERED.get(app) ?? [];
}

/**
 * The admin API, portal sessions, self-service reset, /openapi.json, /api/docs, /metrics,
 * /healthz, and (with portalDir) the portal at / with SPA fallback. Does not listen: the caller
 * calls `listen`.
 */
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.trustProxy ?? false,
    // Prototype poisoning in JSON ("__proto__", "constructor.prototype") is refused as invalid JSON.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 300 },
  });
  const routes: AnyRouteDef[] = [];
  const registered: { method: string; url: string }[] = [];
  REGISTERED.set(app, registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });

  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  // Fastify's own JSON parser decodes the body leniently: bytes that are not UTF-8 became U+FFFD
  // and a garbled name was stored with 201. Decode strictly, then parse as before (same poisoning rules).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = STRICT_UTF8.decode(body as Buffer);
    } catch {
      done(
        new DomainError('INVALID_INPUT', 'The request body is not valid UTF-8. Send JSON encoded as UTF-8.', {
          details: { where: 'body' },
        }),
        undefined,
      );
      return;
    }
    parseJson(request, text, done);
  });
  app.addHook('onRequest', async (request) => {
    (request as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    const started = (request as { startedAt?: bigint }).startedAt;
    if (started === undefined) return;
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  });
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    const isApi =
      request.url.startsWith('/api/') ||
      request.url === '/openapi.json' ||
      request.url === '/metrics' ||
      request.url === '/healthz';
    if (!reply.hasHeader('content-security-policy'))
      void reply.header('content-security-policy', isApi ? API_CSP : PORTAL_CSP);
    if (isApi && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });

  await app.register(cookie);
  await app.register(rateLimit, { global: false });

  registerSessionRoutes(app, deps, routes);
  registerSelfServiceRoutes(app, deps, routes);
  registerUserRoutes(app, deps, routes);
  registerRestrictedRoutes(app, deps, routes);
  registerAdminRoutes(app, deps, routes);
  registerAuditRoutes(app, deps, routes);
  registerCustomPolicyRoutes(app, deps, routes);
  registerWhatIfRoutes(app, deps, routes);
  registerAppPasswordRoutes(app, deps, routes);
  registerSystemRoutes(app, deps, routes);
  registerDovecotPolicyRoutes(app, deps.dovecotPolicy);

  if (deps.portalDir) {
    await app.register(fastifyStatic, {
      root: deps.portalDir,
      prefix: '/',
      index: ['index.html'],
      maxAge: '1h',
      immutable: false,
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url === '/api';
    if (deps.portalDir && !isApi && (request.method === 'GET' || request.method === 'HEAD')) {
      // SPA fallback: every portal route (e.g. /users/rob@contoso.com) loads index.html, which routes on the client.
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return replyWithError(
      new DomainError(
        'NOT_FOUND',
        `There is no ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}. See /api/docs for every endpoint.`,
      ),
      request,
      reply,
    );
  });
  return app;
}

import { z } from 'zod';
import * as adminSchemas from '../shared/api-schemas-admin.js';
import * as sessionSchemas from '../shared/api-schemas-session.js';
import * as schemas from '../shared/api-schemas.js';
import { ErrorDto } from '../shared/api-schemas.js';
import type { AnyRouteDef } from './route.js';

type Json = Record<string, unknown>;

// Every exported schema gets a component name, so replies reference "#/components/schemas/UserDto".
const NAMES = new Map<unknown, string>(
  [schemas, adminSchemas, sessionSchemas]
    .flatMap((module) => Object.entries(module))
    .filter(([, v]) => v instanceof z.ZodType)
    .map(([k, v]) => [v, k]),
);

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const def = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return def ?? {};
}

/** The OpenAPI 3.1 document of every route registered through defineRoute, built from the same zod schemas that validate. */
/**
 * The OpenAPI 3.1 document of every route registered through defineRoute, plus `extraPaths`: the
 * operations of routes that speak another program's protocol (Dovecot's auth policy requests) and
 * so are not zod-typed route definitions, documented by hand beside their handler.
 */
export function buildOpenApi(
  routes: readonly AnyRouteDef[],
  version: string,
  extraPaths: Readonly<Record<string, Record<string, Json>>> = {},
): Json {
  const components: Record<string, Json> = {};
  const ref = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const name = NAMES.get(schema);
    if (!name) return jsonSchema(schema, io);
    components[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };
  const errorRef = ref(ErrorDto, 'output');
  const paths: Record<string, Record<string, Json>> = {};
  for (const [path, ops] of Object.entries(extraPaths)) paths[path] = { ...ops };
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [name, s] of Object.entries(r.params ? objectShape(r.params) : {})) {
      parameters.push({ name, in: 'path', required: true, schema: jsonSchema(s, 'input') });
    }
    for (const [name, s] of Object.entries(r.query ? objectShape(r.query) : {})) {
      parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: jsonSchema(s, 'input') });
    }
    const status = String(r.status ?? 200);
    const ok: Json =
      r.reply !== null
        ? { description: 'Success', content: { 'application/json': { schema: ref(r.reply, 'output') } } }
        : r.produces
          ? { description: 'Success', content: { [r.produces]: { schema: { type: 'string' } } } }
          : { description: 'Success, no content' };
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      tags: [r.tag],
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body, 'input') } } } }
        : {}),
      responses: {
        [status]: ok,
        default: {
          description: 'Error: { error: { code, message } }',
          content: { 'application/json': { schema: errorRef } },
        },
      },
      security: r.auth === 'public' ? [] : r.auth === 'session' ? [{ session: [] }] : [{ bearer: [] }, { session: [] }],
    };
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sendwarden API',
      version,
      description:
        'Admin API of Sendwarden. Authenticate with "Authorization: Bearer sw_<id>_<secret>" (API token) or the portal session cookie; ' +
        'cookie-authenticated state changes need the x-csrf-token header from GET /api/v1/me. Errors are { "error": { "code", "message" } }.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'sw_<id>_<secret>' },
        session: { type: 'apiKey', in: 'cookie', name: 'sw_session' },
        dovecotPolicySecret: { type: 'apiKey', in: 'header', name: 'X-Sendwarden-Policy-Secret' },
      },
    },
  };
}

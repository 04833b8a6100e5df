import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { constantTimeEqual } from '../../../core/auth/constant-time.js';
import { DomainError } from '../../../core/errors.js';
import { replyWithError } from '../errors.js';
import type { DovecotPolicyApi } from '../http-deps.js';

/** Where Dovecot's `auth_policy_server_url` points; Dovecot appends `?command=allow|report`. */
export const DOVECOT_POLICY_PATH = '/api/v1/dovecot/auth-policy';
/** The header Dovecot sends with `auth_policy_server_api_header = X-Sendwarden-Policy-Secret:SECRET`. */
export const DOVECOT_SECRET_HEADER = 'x-sendwarden-policy-secret';

// Dovecot 2.3 (src/auth/auth-policy.c) sends every attribute of auth_policy_request_attributes as a
// JSON string, plus the booleans `tls` and, for `report`, `success` and `policy_reject`.
const Body = z.object({
  login: z.string().max(320),
  pwhash: z
    .string()
    .regex(/^[0-9a-f]{0,128}$/i, 'must be the hex hashed_password Dovecot sends')
    .optional(),
  remote: z
    .string()
    .max(64)
    .refine((v) => v === '' || isIP(v) !== 0, 'must be an IP address (%{rip})')
    .optional(),
  protocol: z.string().max(32).optional(),
  session_id: z.string().max(128).optional(),
  tls: z.boolean().optional(),
  success: z.boolean().optional(),
  policy_reject: z.boolean().optional(),
});

/** The endpoint in /openapi.json: Dovecot's own request format, so it is described here by hand. */
export const DOVECOT_POLICY_OPENAPI = {
  [DOVECOT_POLICY_PATH]: {
    post: {
      operationId: 'postApiV1DovecotAuthPolicy',
      tags: ['dovecot'],
      summary: 'Dovecot 2.3 auth policy server (auth_policy_server_url): commands allow and report',
      parameters: [
        { name: 'command', in: 'query', required: true, schema: { type: 'string', enum: ['allow', 'report'] } },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(Body, { io: 'input' }) } },
      },
      responses: {
        '200': {
          description: '{"status":0} allows the login, {"status":-1} refuses it',
          content: {
            'application/json': {
              schema: { type: 'object', properties: { status: { type: 'integer', enum: [0, -1] } } },
            },
          },
        },
        default: { description: 'Error: { error: { code, message } } (401 without the shared secret)' },
      },
      security: [{ dovecotPolicySecret: [] }],
    },
  },
};

const ALLOW = { status: 0 } as const;
const REFUSE = { status: -1 } as const;

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Dovecot's auth policy server (Dovecot 2.3 `auth_policy_*`): `allow` is asked before and after
 * Dovecot checks the password, `report` tells the outcome. Blocked sign-in and a lockout for the
 * client's place answer `{"status":-1}` (Dovecot fails the login at once); every wrong password
 * Dovecot reports counts in the same smart lockout as SMTP AUTH and the portal; a success makes
 * the place familiar. Unknown logins answer 0 and count nothing: the site's passdb decides.
 * The shared secret is checked before the body is even parsed: without it, 401 and nothing counts.
 */
export function registerDovecotPolicyRoutes(app: FastifyInstance, policy: DovecotPolicyApi | undefined): void {
  const expected = policy?.secret === undefined ? undefined : digest(policy.secret);
  const isAuthorised = (request: FastifyRequest): boolean => {
    const given = request.headers[DOVECOT_SECRET_HEADER];
    if (expected === undefined || typeof given !== 'string') return false;
    // Equal-length digests, compared in constant time: neither the secret nor its length leaks.
    return constantTimeEqual(digest(given.trim()), expected);
  };

  app.post(DOVECOT_POLICY_PATH, {
    bodyLimit: 16_384,
    onRequest: async (request, reply) => {
      if (isAuthorised(request)) return;
      const why =
        expected === undefined
          ? 'The Dovecot auth policy endpoint is off: set SENDWARDEN_DOVECOT_POLICY_SECRET.'
          : `Send the shared secret in the ${DOVECOT_SECRET_HEADER} header (auth_policy_server_api_header).`;
      return replyWithError(new DomainError('UNAUTHENTICATED', why), request, reply);
    },
    handler: async (request, reply) => {
      const command = (request.query as Record<string, unknown>)['command'];
      if (command !== 'allow' && command !== 'report')
        throw new DomainError('INVALID_INPUT', 'The query must be ?command=allow or ?command=report.', {
          details: { where: 'query', field: 'command' },
        });
      const parsed = Body.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DomainError(
          'INVALID_INPUT',
          `The policy request is not what Dovecot sends: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
          { details: { where: 'body', field: issue?.path.join('.') } },
        );
      }
      const body = parsed.data;
      const input = { login: body.login, address: body.remote ? body.remote : null };
      if (command === 'allow') {
        const verdict = await policy!.signIn.checkExternal(input);
        return reply.send(verdict === 'refuse' ? REFUSE : ALLOW);
      }
      // A report of a login Sendwarden itself refused carries no password verdict: nothing to count.
      if (body.policy_reject !== true) {
        if (body.success === true) await policy!.signIn.reportExternalSuccess(input);
        else if (body.success === false)
          await policy!.signIn.reportExternalFailure({ ...input, passwordHash: body.pwhash ?? '' });
        else
          throw new DomainError('INVALID_INPUT', 'A report must say "success": true or false.', {
            details: { where: 'body', field: 'success' },
          });
      }
      return reply.send(ALLOW);
    },
  });
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DomainError } from './core/errors.js';

/** Every setting, its variable, default and meaning: the one place defaults live (listed in the README). */
export const SETTINGS = {
  dataDir: {
    env: 'SENDWARDEN_DATA_DIR',
    default: './data',
    doc: 'SQLite file, TLS key and certificate, capture outbox',
  },
  databaseUrl: { env: 'DATABASE_URL', default: undefined, doc: 'postgres://... to use PostgreSQL (unset: SQLite)' },
  redisUrl: { env: 'REDIS_URL', default: undefined, doc: 'redis://... for counters across nodes (unset: in-process)' },
  redisPrefix: {
    env: 'SENDWARDEN_REDIS_PREFIX',
    default: 'sw:c:',
    doc: 'prefix of every Redis key; the same on every node of one deployment',
  },
  httpPort: { env: 'SENDWARDEN_HTTP_PORT', default: '8080', doc: 'portal and API' },
  smtpPort: { env: 'SENDWARDEN_SMTP_PORT', default: '2587', doc: 'submission with STARTTLS (587 in production)' },
  smtpsPort: { env: 'SENDWARDEN_SMTPS_PORT', default: undefined, doc: 'implicit TLS submission (465 in production)' },
  policyPort: { env: 'SENDWARDEN_POLICY_PORT', default: undefined, doc: 'Postfix policy delegation service' },
  relay: {
    env: 'SENDWARDEN_RELAY',
    default: undefined,
    doc: 'smtp://[user:pass@]host:port or smtps:// of the next hop (unset: capture outbox)',
  },
  host: { env: 'SENDWARDEN_HOST', default: '127.0.0.1', doc: 'address to bind' },
  admin: { env: 'SENDWARDEN_ADMIN', default: 'admin@example.com', doc: 'first admin, created on first run' },
  hostname: {
    env: 'SENDWARDEN_HOSTNAME',
    default: 'localhost',
    doc: 'name in the SMTP greeting and the TLS certificate',
  },
  maxMessageBytes: {
    env: 'SENDWARDEN_MAX_MESSAGE_BYTES',
    default: String(25 * 1024 * 1024),
    doc: 'message size limit',
  },
  smtpSocketTimeoutMs: {
    env: 'SENDWARDEN_SMTP_SOCKET_TIMEOUT_MS',
    default: '60000',
    doc: 'an SMTP client silent this long (also in the middle of DATA) is disconnected',
  },
  secret: {
    env: 'SENDWARDEN_SECRET',
    default: undefined,
    doc: 'server secret, 64 hex characters; the same on every node (unset: <data dir>/secret.key, made on first run)',
  },
  smtpMaxClients: {
    env: 'SENDWARDEN_SMTP_MAX_CLIENTS',
    default: '1000',
    doc: 'concurrent SMTP connections per listener; one more gets 421 and is closed',
  },
  smtpMaxClientsPerIp: {
    env: 'SENDWARDEN_SMTP_MAX_CLIENTS_PER_IP',
    default: '20',
    doc: 'concurrent SMTP connections from one client address; one more gets 421 4.7.0 and is closed',
  },
  smtpSessionTimeoutMs: {
    env: 'SENDWARDEN_SMTP_SESSION_TIMEOUT_MS',
    default: '600000',
    doc: 'longest SMTP session, however busy; then 421 4.4.2 and the connection is closed',
  },
  authCacheSeconds: {
    env: 'SENDWARDEN_AUTH_CACHE_SECONDS',
    default: '60',
    doc: 'how long a password that matched stays verified in memory (SMTP AUTH without argon2id); 0 turns it off; never for a wrong password',
  },
  signInPerMinute: {
    env: 'SENDWARDEN_SIGN_IN_PER_MINUTE',
    default: '10',
    doc: 'portal sign-in attempts per client address per minute (smart lockout protects each account too)',
  },
  allowPlainAuthOnLoopback: {
    env: 'SENDWARDEN_ALLOW_PLAIN_AUTH_ON_LOOPBACK',
    default: 'false',
    doc: 'allow AUTH without TLS from 127.0.0.1/::1 (local testing only)',
  },
  tlsKey: { env: 'SENDWARDEN_TLS_KEY', default: undefined, doc: 'PEM key file (unset: created on first run)' },
  tlsCert: {
    env: 'SENDWARDEN_TLS_CERT',
    default: undefined,
    doc: 'PEM certificate file (unset: created on first run)',
  },
  webhookUrl: { env: 'SENDWARDEN_WEBHOOK_URL', default: undefined, doc: 'alerts and events as signed JSON POSTs' },
  webhookSecret: {
    env: 'SENDWARDEN_WEBHOOK_SECRET',
    default: undefined,
    doc: 'HMAC-SHA-256 key for the X-Sendwarden-Signature header',
  },
  alertEmails: {
    env: 'SENDWARDEN_ALERT_EMAILS',
    default: undefined,
    doc: 'comma-separated addresses for alerts (unset: every global and security admin)',
  },
  dovecotPolicySecret: {
    env: 'SENDWARDEN_DOVECOT_POLICY_SECRET',
    default: undefined,
    doc: "Dovecot auth policy server's shared secret, 16+ characters (unset: the policy endpoint answers 401)",
  },
  messageLogDays: { env: 'SENDWARDEN_MESSAGE_LOG_DAYS', default: '30', doc: 'days the message log is kept' },
  logLevel: { env: 'SENDWARDEN_LOG_LEVEL', default: 'info', doc: 'pino log level' },
  rspamdUrl: {
    env: 'SENDWARDEN_RSPAMD_URL',
    default: undefined,
    doc: "http://host:11333 of Rspamd's normal worker: every message is also scanned there (unset: built-in scorer only)",
  },
  rspamdPassword: {
    env: 'SENDWARDEN_RSPAMD_PASSWORD',
    default: undefined,
    doc: 'sent as the Password header to the normal worker and the controller',
  },
  rspamdTimeoutMs: {
    env: 'SENDWARDEN_RSPAMD_TIMEOUT_MS',
    default: '2000',
    doc: 'longest wait for a verdict; past it Rspamd counts as away and the built-in scorer decides alone',
  },
  rspamdSettingsId: {
    env: 'SENDWARDEN_RSPAMD_SETTINGS_ID',
    default: undefined,
    doc: 'sent as the Settings-Id header (an Rspamd settings rule for submission)',
  },
  rspamdAddHeader: {
    env: 'SENDWARDEN_RSPAMD_ADD_HEADER',
    default: 'evidence',
    doc: 'what Rspamd\'s "add header" and "rewrite subject" mean: evidence (kept on the record, relayed) or spam (refused, 550 5.7.1)',
  },
  rspamdMaxBytes: {
    env: 'SENDWARDEN_RSPAMD_MAX_BYTES',
    default: String(20 * 1024 * 1024),
    doc: 'larger messages are not sent to Rspamd (its own limit); the built-in scorer decides alone',
  },
  rspamdControllerUrl: {
    env: 'SENDWARDEN_RSPAMD_CONTROLLER_URL',
    default: undefined,
    doc: "http://host:11334 of Rspamd's controller, for learnham (false positive) and learnspam (confirmed hijack) at unblock",
  },
  logFormat: {
    env: 'SENDWARDEN_LOG_FORMAT',
    default: 'auto',
    doc: 'json, pretty, or auto: one readable line per entry on a terminal, JSON lines otherwise',
  },
} as const;

type Key = keyof typeof SETTINGS;

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

const schema = z.object({
  dataDir: z.string().min(1),
  databaseUrl: url(['postgres:', 'postgresql:']).optional(),
  redisUrl: url(['redis:', 'rediss:']).optional(),
  redisPrefix: z.string().min(1).max(100),
  httpPort: port,
  smtpPort: port,
  smtpsPort: port.optional(),
  policyPort: port.optional(),
  relay: url(['smtp:', 'smtps:']).optional(),
  host: z.string().min(1),
  admin: z.email(),
  hostname: z.string().min(1),
  maxMessageBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024),
  smtpSocketTimeoutMs: z.coerce.number().int().min(100).max(3_600_000),
  secret: z
    .string()
    .regex(/^[0-9a-fA-F]{64,}$/, 'must be at least 64 hex characters (openssl rand -hex 32)')
    .optional(),
  smtpMaxClients: z.coerce.number().int().min(1).max(100_000),
  smtpMaxClientsPerIp: z.coerce.number().int().min(1).max(100_000),
  smtpSessionTimeoutMs: z.coerce.number().int().min(100).max(86_400_000),
  authCacheSeconds: z.coerce.number().int().min(0).max(3600),
  signInPerMinute: z.coerce.number().int().min(1).max(100_000),
  allowPlainAuthOnLoopback: bool,
  tlsKey: z.string().optional(),
  tlsCert: z.string().optional(),
  webhookUrl: url(['http:', 'https:']).optional(),
  webhookSecret: z.string().min(16).optional(),
  alertEmails: z.string().optional(),
  dovecotPolicySecret: z
    .string()
    .regex(/^[\x21-\x7e]{16,}$/, 'must be at least 16 printable characters without spaces (openssl rand -hex 24)')
    .optional(),
  messageLogDays: z.coerce.number().int().min(1).max(3650),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  rspamdUrl: url(['http:', 'https:']).optional(),
  rspamdPassword: z.string().min(1).optional(),
  rspamdTimeoutMs: z.coerce.number().int().min(50).max(120_000),
  rspamdSettingsId: z
    .string()
    .regex(/^[\w.-]{1,100}$/, 'must be letters, digits, dot, dash or underscore')
    .optional(),
  rspamdAddHeader: z.enum(['evidence', 'spam']),
  rspamdMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024),
  rspamdControllerUrl: url(['http:', 'https:']).optional(),
  logFormat: z.enum(['auto', 'json', 'pretty']),
});

/** The validated, frozen configuration; only main.ts receives it. */
export type Config = Readonly<z.infer<typeof schema>>;

/**
 * Reads the environment (and the JSON file named by SENDWARDEN_CONFIG, whose keys are the variable
 * names; the environment wins), validates everything, and reports every bad variable at once.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  let file: Record<string, unknown> = {};
  const filePath = env['SENDWARDEN_CONFIG'];
  if (filePath) {
    try {
      file = JSON.parse(readFileSync(filePath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new DomainError(
        'CONFIG_INVALID',
        `SENDWARDEN_CONFIG=${filePath} cannot be read as JSON: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const raw: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const fromEnv = env[s.env];
    const fromFile = file[s.env];
    const value =
      fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile !== undefined ? String(fromFile) : s.default;
    if (value !== undefined) raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]) as Key;
      const s = SETTINGS[key];
      return `${s?.env ?? key}=${JSON.stringify(raw[key] ?? '')}: ${i.message}`;
    });
    throw new DomainError('CONFIG_INVALID', `Sendwarden cannot start; fix these settings:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze({ ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) });
}

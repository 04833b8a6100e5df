import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAddress } from './core/directory/address.js';
import { LANGUAGES, validateTimeZone } from './core/directory/locale.js';
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
  language: {
    env: 'SENDWARDEN_LANGUAGE',
    default: 'en',
    doc: "the organisation's language for email to users who chose none: en, fr, nb, nl, ro",
  },
  timeZone: {
    env: 'SENDWARDEN_TIME_ZONE',
    default: 'UTC',
    doc: "the organisation's IANA time zone for the times in email to users who chose none",
  },
  publicUrl: {
    env: 'SENDWARDEN_PUBLIC_URL',
    default: undefined,
    doc: 'the portal address people open, for the links in email (unset: http://SENDWARDEN_HOST:SENDWARDEN_HTTP_PORT, localhost for a wildcard address)',
  },
  mailFrom: {
    env: 'SENDWARDEN_MAIL_FROM',
    default: undefined,
    doc: 'the From address of every email Sendwarden sends (unset: sendwarden@SENDWARDEN_HOSTNAME)',
  },
  logFormat: {
    env: 'SENDWARDEN_LOG_FORMAT',
    default: 'auto',
    doc: 'json, pretty, or auto: one readable line per entry on a terminal, JSON lines otherwise',
  },
} as const;

type Key = keyof typeof SETTINGS;

/**
 * How one setting's text becomes its value: the value, or the sentence saying what is wrong.
 * Hand-written (not zod) so that every CLI command reads its settings without loading a schema
 * library; test/services/config.test.ts holds each rule to its accepted and refused values.
 */
interface Rule<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  check(text: string): { readonly value: T } | { readonly problem: string };
}

const rule = <T>(check: Rule<T>['check']): Rule<T, false> => ({ optional: false, check });
const optional = <T>(r: Rule<T>): Rule<T, true> => ({ optional: true, check: r.check });
const ok = <T>(value: T) => ({ value });
const problem = (text: string) => ({ problem: text });

const text = (min = 1, max = Infinity): Rule<string, false> =>
  rule((v) =>
    v.length < min
      ? problem(min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
      : v.length > max
        ? problem(`must be at most ${max} characters`)
        : ok(v),
  );
const whole = (min: number, max: number): Rule<number, false> =>
  rule((v) => {
    const n = v.trim() === '' ? NaN : Number(v);
    return Number.isInteger(n) && n >= min && n <= max
      ? ok(n)
      : problem(`must be a whole number from ${min} to ${max}`);
  });
const port = whole(0, 65535);
const bool = rule((v) =>
  ['true', '1', 'yes'].includes(v)
    ? ok(true)
    : ['false', '0', 'no'].includes(v)
      ? ok(false)
      : problem('must be one of true, false, 1, 0, yes, no'),
);
const oneOf = <const T extends string>(values: readonly T[]): Rule<T, false> =>
  rule((v) =>
    (values as readonly string[]).includes(v) ? ok(v as T) : problem(`must be one of ${values.join(', ')}`),
  );
const pattern = (re: RegExp, why: string): Rule<string, false> => rule((v) => (re.test(v) ? ok(v) : problem(why)));
const url = (protocols: readonly string[]): Rule<string, false> =>
  rule((v) => {
    const why = `must be a URL starting with ${protocols.join(' or ')}//`;
    try {
      return protocols.includes(new URL(v).protocol) ? ok(v) : problem(why);
    } catch {
      return problem(why);
    }
  });
const email = rule((v) => (parseAddress(v) === null ? problem('must be an email address') : ok(v)));

/** Every setting's rule; `satisfies` makes a setting without a rule (or a rule without a setting) a type error. */
const RULES = {
  dataDir: text(),
  databaseUrl: optional(url(['postgres:', 'postgresql:'])),
  redisUrl: optional(url(['redis:', 'rediss:'])),
  redisPrefix: text(1, 100),
  httpPort: port,
  smtpPort: port,
  smtpsPort: optional(port),
  policyPort: optional(port),
  relay: optional(url(['smtp:', 'smtps:'])),
  host: text(),
  admin: email,
  hostname: text(),
  maxMessageBytes: whole(1024, 200 * 1024 * 1024),
  smtpSocketTimeoutMs: whole(100, 3_600_000),
  secret: optional(pattern(/^[0-9a-fA-F]{64,}$/, 'must be at least 64 hex characters (openssl rand -hex 32)')),
  smtpMaxClients: whole(1, 100_000),
  smtpMaxClientsPerIp: whole(1, 100_000),
  smtpSessionTimeoutMs: whole(100, 86_400_000),
  authCacheSeconds: whole(0, 3600),
  signInPerMinute: whole(1, 100_000),
  allowPlainAuthOnLoopback: bool,
  tlsKey: optional(text(0)),
  tlsCert: optional(text(0)),
  webhookUrl: optional(url(['http:', 'https:'])),
  webhookSecret: optional(text(16)),
  alertEmails: optional(text(0)),
  dovecotPolicySecret: optional(
    pattern(/^[\x21-\x7e]{16,}$/, 'must be at least 16 printable characters without spaces (openssl rand -hex 24)'),
  ),
  messageLogDays: whole(1, 3650),
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  rspamdUrl: optional(url(['http:', 'https:'])),
  rspamdPassword: optional(text()),
  rspamdTimeoutMs: whole(50, 120_000),
  rspamdSettingsId: optional(pattern(/^[\w.-]{1,100}$/, 'must be letters, digits, dot, dash or underscore')),
  rspamdAddHeader: oneOf(['evidence', 'spam']),
  rspamdMaxBytes: whole(1024, 200 * 1024 * 1024),
  rspamdControllerUrl: optional(url(['http:', 'https:'])),
  logFormat: oneOf(['auto', 'json', 'pretty']),
  language: oneOf(LANGUAGES),
  timeZone: rule((v) => {
    try {
      return ok(validateTimeZone(v));
    } catch {
      return problem('must be an IANA time zone such as Europe/Amsterdam or UTC');
    }
  }),
  publicUrl: optional(url(['http:', 'https:'])),
  mailFrom: optional(email),
} as const satisfies Record<Key, Rule<unknown>>;

type Rules = typeof RULES;
type ValueOf<R> = R extends Rule<infer T, boolean> ? T : never;
type RequiredKey = { [K in Key]: Rules[K] extends { optional: false } ? K : never }[Key];
type OptionalKey = Exclude<Key, RequiredKey>;

/** The portal address of the links in email: SENDWARDEN_PUBLIC_URL, else the HTTP listener's own. */
function defaultPublicUrl(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const name = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** The validated, frozen configuration; only main.ts receives it. */
export type Config = Readonly<
  Omit<
    { [K in RequiredKey]: ValueOf<Rules[K]> } & { [K in OptionalKey]?: ValueOf<Rules[K]> | undefined },
    'publicUrl' | 'mailFrom'
  > & {
    readonly publicUrl: string;
    readonly mailFrom: string;
  }
>;

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
  const raw: Partial<Record<Key, string>> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const fromEnv = env[s.env];
    const fromFile = file[s.env];
    const value =
      fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile !== undefined ? String(fromFile) : s.default;
    if (value !== undefined) raw[key] = value;
  }
  const values: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const key of Object.keys(RULES) as Key[]) {
    const r: Rule<unknown> = RULES[key];
    const given = raw[key];
    if (given === undefined) {
      if (!r.optional) lines.push(`${SETTINGS[key].env}="": must be set`);
      continue;
    }
    const result = r.check(given);
    if ('problem' in result) lines.push(`${SETTINGS[key].env}=${JSON.stringify(given)}: ${result.problem}`);
    else values[key] = result.value;
  }
  if (lines.length > 0) {
    throw new DomainError('CONFIG_INVALID', `Sendwarden cannot start; fix these settings:\n  ${lines.join('\n  ')}`);
  }
  const d = values as Omit<Config, 'publicUrl' | 'mailFrom'> & { publicUrl?: string; mailFrom?: string };
  return Object.freeze({
    ...d,
    dataDir: path.resolve(d.dataDir),
    publicUrl: (d.publicUrl ?? defaultPublicUrl(d.host, d.httpPort)).replace(/\/+$/, ''),
    mailFrom: d.mailFrom ?? `sendwarden@${d.hostname}`,
  });
}

/**
 * The settings' validation (src/config.ts): each rule's accepted and refused values, the defaults,
 * the file beside the environment, and every bad setting reported at once in one sentence each.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../../src/config.js';
import { isDomainError } from '../../src/core/errors.js';

/** The sentence lines of a refused configuration, or [] when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'CONFIG_INVALID') throw err;
    const [head, ...lines] = err.message.split('\n');
    expect(head).toBe('Sendwarden cannot start; fix these settings:');
    return lines.map((l) => l.trim());
  }
}

describe('loadConfig', () => {
  it('gives every setting its default and types the values', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      dataDir: path.resolve('./data'),
      redisPrefix: 'sw:c:',
      httpPort: 8080,
      smtpPort: 2587,
      host: '127.0.0.1',
      admin: 'admin@example.com',
      hostname: 'localhost',
      maxMessageBytes: 25 * 1024 * 1024,
      smtpSocketTimeoutMs: 60_000,
      smtpMaxClients: 1000,
      smtpMaxClientsPerIp: 20,
      smtpSessionTimeoutMs: 600_000,
      authCacheSeconds: 60,
      signInPerMinute: 10,
      allowPlainAuthOnLoopback: false,
      messageLogDays: 30,
      logLevel: 'info',
      rspamdTimeoutMs: 2000,
      rspamdAddHeader: 'evidence',
      rspamdMaxBytes: 20 * 1024 * 1024,
      logFormat: 'auto',
      language: 'en',
      timeZone: 'UTC',
      // Derived when not set: the HTTP listener's own address, and an address at the hostname.
      publicUrl: 'http://127.0.0.1:8080',
      mailFrom: 'sendwarden@localhost',
    });
    expect(Object.isFrozen(config)).toBe(true);
    // Every optional setting without a default (or a derived value) is absent, not an empty string.
    for (const [key, s] of Object.entries(SETTINGS))
      if (s.default === undefined && key !== 'publicUrl' && key !== 'mailFrom') expect(config).not.toHaveProperty(key);
  });

  it('accepts well-formed values of every kind', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db',
      REDIS_URL: 'rediss://127.0.0.1:6380',
      SENDWARDEN_HTTP_PORT: '0',
      SENDWARDEN_SMTPS_PORT: '65535',
      SENDWARDEN_POLICY_PORT: '10040',
      SENDWARDEN_RELAY: 'smtps://user:pass@mx.example:465',
      SENDWARDEN_ADMIN: 'Rob.Smith+ops@Contoso.com',
      SENDWARDEN_MAX_MESSAGE_BYTES: '1024',
      SENDWARDEN_ALLOW_PLAIN_AUTH_ON_LOOPBACK: 'yes',
      SENDWARDEN_SECRET: 'aB'.repeat(32),
      SENDWARDEN_WEBHOOK_URL: 'https://hooks.example/x',
      SENDWARDEN_WEBHOOK_SECRET: 'x'.repeat(16),
      SENDWARDEN_DOVECOT_POLICY_SECRET: '!~'.repeat(8),
      SENDWARDEN_LOG_LEVEL: 'silent',
      SENDWARDEN_RSPAMD_SETTINGS_ID: 'sub.mission-1_a',
      SENDWARDEN_RSPAMD_ADD_HEADER: 'spam',
      SENDWARDEN_LOG_FORMAT: 'json',
      SENDWARDEN_LANGUAGE: 'nb',
      SENDWARDEN_TIME_ZONE: 'Europe/Oslo',
      SENDWARDEN_PUBLIC_URL: 'https://sendwarden.contoso.com/',
      SENDWARDEN_MAIL_FROM: 'noreply@contoso.com',
    });
    expect(config).toMatchObject({
      language: 'nb',
      timeZone: 'Europe/Oslo',
      publicUrl: 'https://sendwarden.contoso.com',
      mailFrom: 'noreply@contoso.com',
      databaseUrl: 'postgresql://u@127.0.0.1:5432/db',
      redisUrl: 'rediss://127.0.0.1:6380',
      httpPort: 0,
      smtpsPort: 65535,
      policyPort: 10040,
      relay: 'smtps://user:pass@mx.example:465',
      admin: 'Rob.Smith+ops@Contoso.com',
      maxMessageBytes: 1024,
      allowPlainAuthOnLoopback: true,
      webhookSecret: 'x'.repeat(16),
      logLevel: 'silent',
      rspamdAddHeader: 'spam',
      logFormat: 'json',
    });
    for (const [text, value] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
      ['no', false],
    ] as const)
      expect(loadConfig({ SENDWARDEN_ALLOW_PLAIN_AUTH_ON_LOOPBACK: text }).allowPlainAuthOnLoopback).toBe(value);
  });

  it('refuses each bad value with the variable, the value and the reason', () => {
    const cases: [string, string, string][] = [
      ['SENDWARDEN_HTTP_PORT', '65536', 'must be a whole number from 0 to 65535'],
      ['SENDWARDEN_SMTP_PORT', 'abc', 'must be a whole number from 0 to 65535'],
      ['SENDWARDEN_SMTPS_PORT', '25.5', 'must be a whole number from 0 to 65535'],
      ['SENDWARDEN_POLICY_PORT', '-1', 'must be a whole number from 0 to 65535'],
      ['SENDWARDEN_MAX_MESSAGE_BYTES', '1023', 'must be a whole number from 1024 to 209715200'],
      ['SENDWARDEN_MESSAGE_LOG_DAYS', '3651', 'must be a whole number from 1 to 3650'],
      ['DATABASE_URL', 'mysql://db', 'must be a URL starting with postgres: or postgresql://'],
      ['REDIS_URL', 'not a url', 'must be a URL starting with redis: or rediss://'],
      ['SENDWARDEN_RELAY', 'http://mx', 'must be a URL starting with smtp: or smtps://'],
      ['SENDWARDEN_WEBHOOK_URL', 'ftp://x', 'must be a URL starting with http: or https://'],
      ['SENDWARDEN_ADMIN', 'admin', 'must be an email address'],
      ['SENDWARDEN_ADMIN', 'a@b', 'must be an email address'],
      ['SENDWARDEN_ALLOW_PLAIN_AUTH_ON_LOOPBACK', 'on', 'must be one of true, false, 1, 0, yes, no'],
      ['SENDWARDEN_SECRET', 'ab'.repeat(31), 'must be at least 64 hex characters (openssl rand -hex 32)'],
      ['SENDWARDEN_SECRET', 'g'.repeat(64), 'must be at least 64 hex characters (openssl rand -hex 32)'],
      ['SENDWARDEN_WEBHOOK_SECRET', 'short', 'must be at least 16 characters'],
      [
        'SENDWARDEN_DOVECOT_POLICY_SECRET',
        'with a space inside',
        'must be at least 16 printable characters without spaces (openssl rand -hex 24)',
      ],
      ['SENDWARDEN_REDIS_PREFIX', 'p'.repeat(101), 'must be at most 100 characters'],
      ['SENDWARDEN_LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
      ['SENDWARDEN_RSPAMD_SETTINGS_ID', 'a b', 'must be letters, digits, dot, dash or underscore'],
      ['SENDWARDEN_RSPAMD_ADD_HEADER', 'reject', 'must be one of evidence, spam'],
      ['SENDWARDEN_LOG_FORMAT', 'text', 'must be one of auto, json, pretty'],
      ['SENDWARDEN_LANGUAGE', 'de', 'must be one of en, fr, nb, nl, ro'],
      ['SENDWARDEN_TIME_ZONE', 'Mars/Olympus', 'must be an IANA time zone such as Europe/Amsterdam or UTC'],
      ['SENDWARDEN_TIME_ZONE', '+01:00', 'must be an IANA time zone such as Europe/Amsterdam or UTC'],
      ['SENDWARDEN_PUBLIC_URL', 'portal.contoso.com', 'must be a URL starting with http: or https://'],
      ['SENDWARDEN_MAIL_FROM', 'sendwarden', 'must be an email address'],
    ];
    for (const [variable, value, why] of cases)
      expect(problems({ [variable]: value }), variable).toEqual([`${variable}=${JSON.stringify(value)}: ${why}`]);
  });

  it('reports every bad setting at once, in the order of the settings', () => {
    expect(problems({ SENDWARDEN_LOG_FORMAT: 'x', SENDWARDEN_HTTP_PORT: 'x', SENDWARDEN_ADMIN: 'x' })).toEqual([
      'SENDWARDEN_HTTP_PORT="x": must be a whole number from 0 to 65535',
      'SENDWARDEN_ADMIN="x": must be an email address',
      'SENDWARDEN_LOG_FORMAT="x": must be one of auto, json, pretty',
    ]);
  });

  it('reads the JSON file named by SENDWARDEN_CONFIG; the environment wins, an empty variable does not', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-config-'));
    try {
      const file = path.join(dir, 'config.json');
      await writeFile(
        file,
        JSON.stringify({ SENDWARDEN_HTTP_PORT: 9090, SENDWARDEN_SMTP_PORT: 2525, SENDWARDEN_HOST: '::1' }),
      );
      const config = loadConfig({ SENDWARDEN_CONFIG: file, SENDWARDEN_SMTP_PORT: '2600', SENDWARDEN_HOST: '' });
      expect({ http: config.httpPort, smtp: config.smtpPort, host: config.host }).toEqual({
        http: 9090,
        smtp: 2600,
        host: '::1',
      });
      await writeFile(file, '{ not json');
      expect(() => loadConfig({ SENDWARDEN_CONFIG: file })).toThrow(/cannot be read as JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

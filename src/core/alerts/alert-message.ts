import type { EmailReader } from '../../ports/email-composer.js';
import type { Stores } from '../../ports/stores.js';
import type { Alert } from './alert.js';

/** Roles whose members get alert email when no explicit list is configured. */
const ALERT_ROLES = ['global-admin', 'security-admin'] as const;

/** One recipient of an alert email and the language and time zone to write it in. */
export interface AlertRecipient {
  readonly address: string;
  /** The user's own choice when the address is a user's; null fields: the organisation default. */
  readonly reader: EmailReader;
}

/**
 * Who gets an alert email: the configured addresses (comma-separated), else every global and
 * security admin (at most 50 of each role), each address once, each with their own language and
 * time zone (a configured address that is a user's gets that user's).
 */
export async function alertRecipients(
  users: Pick<Stores['users'], 'list' | 'findByAddress'>,
  configured: string | undefined,
): Promise<AlertRecipient[]> {
  const readerOf = (u: { language?: EmailReader['language']; timeZone?: string | null } | undefined): EmailReader => ({
    language: u?.language ?? null,
    timeZone: u?.timeZone ?? null,
  });
  if (configured) {
    const addresses = [
      ...new Set(
        configured
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      ),
    ];
    return Promise.all(
      addresses.map(async (address) => ({
        address,
        reader: readerOf(await users.findByAddress(address.toLowerCase())),
      })),
    );
  }
  const pages = await Promise.all(ALERT_ROLES.map((role) => users.list({ role, limit: 50 })));
  const seen = new Set<string>();
  const out: AlertRecipient[] = [];
  for (const u of pages.flatMap((p) => p.items)) {
    if (seen.has(u.email)) continue;
    seen.add(u.email);
    out.push({ address: u.email, reader: readerOf(u) });
  }
  return out;
}

/** The webhook event of one alert: `alert.<type>` with the alert's public fields. */
export function alertWebhookEvent(alert: Alert): {
  readonly type: string;
  readonly at: Date;
  readonly data: Readonly<Record<string, unknown>>;
} {
  return {
    type: `alert.${alert.type}`,
    at: alert.createdAt,
    data: {
      id: alert.id,
      severity: alert.severity,
      title: alert.title,
      userEmail: alert.userEmail,
      summary: alert.summary,
      details: alert.details,
    },
  };
}

import type { OutgoingNotice } from '../../ports/mailer.js';
import type { Stores } from '../../ports/stores.js';
import type { Alert } from './alert.js';

/** Roles whose members get alert email when no explicit list is configured. */
const ALERT_ROLES = ['global-admin', 'security-admin'] as const;

/**
 * Who gets an alert email: the configured addresses (comma-separated), else every global and
 * security admin (at most 50 of each role), each address once.
 */
export async function alertRecipients(
  users: Pick<Stores['users'], 'list'>,
  configured: string | undefined,
): Promise<string[]> {
  if (configured)
    return configured
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  const pages = await Promise.all(ALERT_ROLES.map((role) => users.list({ role, limit: 50 })));
  return [...new Set(pages.flatMap((p) => p.items.map((u) => u.email)))];
}

/** The admins' alert email for one alert (plain text, English: the portal has the translations). */
export function alertEmail(alert: Alert, to: readonly string[]): OutgoingNotice {
  return {
    to,
    subject: `[Sendwarden] ${alert.title}${alert.userEmail ? `: ${alert.userEmail}` : ''}`,
    text: `${alert.summary}\n\nSeverity: ${alert.severity}\nTime: ${alert.createdAt.toISOString()}\n\nReview it in the Sendwarden portal under Alerts.`,
  };
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

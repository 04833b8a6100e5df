import type { AlertChannel } from '../../core/alerts/alert-delivery.js';
import { alertRecipients, alertWebhookEvent } from '../../core/alerts/alert-message.js';
import type { Alert } from '../../core/alerts/alert.js';
import type { EmailComposer } from '../../ports/email-composer.js';
import type { Mailer, Webhook } from '../../ports/mailer.js';
import type { Stores } from '../../ports/stores.js';

/** What one node needs to hand alerts on. */
export interface AlertSenderDeps {
  readonly mailer: Mailer;
  readonly webhook: Webhook | null;
  readonly users: Pick<Stores['users'], 'list' | 'findByAddress'>;
  /** Writes each admin's copy in their own language and time zone. */
  readonly composer: EmailComposer;
  /** SENDWARDEN_ALERT_EMAILS: comma-separated; else the global and security admins. */
  readonly alertEmails: string | undefined;
}

/**
 * AlertDispatcher's `send`: the admins' email (one per admin, each in their language) or the signed
 * webhook, one attempt, throwing on failure (a retry may send an admin's copy again: at least once).
 */
export function alertSender(d: AlertSenderDeps): (alert: Alert, channel: AlertChannel) => Promise<void> {
  return async (alert, channel) => {
    if (channel === 'webhook') {
      if (!d.webhook) throw new Error('no webhook is configured on the delivering node (SENDWARDEN_WEBHOOK_URL)');
      return d.webhook.deliver(alertWebhookEvent(alert));
    }
    const to = await alertRecipients(d.users, d.alertEmails);
    if (to.length === 0)
      throw new Error(
        'there is no one to send it to: no global or security admin, and SENDWARDEN_ALERT_EMAILS is empty',
      );
    // One email per admin, in that admin's language and time zone (issue 16).
    for (const r of to) await d.mailer.send({ to: [r.address], ...(await d.composer.alert(r.reader, alert)) });
  };
}

/**
 * The words of an alert's summary, in any language: the catalogue key under `alerts.summaries`
 * and the ICU values drawn from the alert's details (counts, limits, addresses), with the times
 * apart so each reader formats them in their own language and time zone. The portal's Alerts page
 * and the alert email both use it, so neither shows the English sentence core stored or a raw ISO time.
 */

/** The alert fields a summary is made from. */
export interface SummarisedAlert {
  readonly type: string;
  readonly userEmail: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A summary to render: `t(key, { ...values, ...formatted dates })`. */
export interface AlertSummaryMessage {
  /** Full catalogue key, e.g. "alerts.summaries.account-locked". */
  readonly key: string;
  /** Strings and numbers for the message. */
  readonly values: Readonly<Record<string, string | number>>;
  /** Times for the message, to be formatted by the caller (date and time in the reader's zone). */
  readonly dates: Readonly<Record<string, Date>>;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function date(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The summary of `alert`: a variant with figures when the details carry them, the plain one otherwise. */
export function alertSummaryMessage(alert: SummarisedAlert): AlertSummaryMessage {
  const d = alert.details;
  const email = alert.userEmail ?? '';
  const base = `alerts.summaries.${alert.type}`;
  const plain: AlertSummaryMessage = { key: base, values: { email }, dates: {} };
  switch (alert.type) {
    case 'user-restricted':
    case 'sending-limit-exceeded': {
      const counts = d['counts'] as Readonly<Record<string, unknown>> | undefined;
      const rule = str(d['rule']);
      const count = num(d['count']) ?? (rule !== null && counts ? num(counts[rule]) : null);
      const limit = num(d['limit']);
      if (count === null || limit === null) return plain;
      return { key: `${base}-figures`, values: { email, count, limit }, dates: {} };
    }
    case 'suspicious-sending': {
      const recipients = num(d['recipients']);
      const minutes = num(d['windowMinutes']);
      if (recipients === null || minutes === null) return plain;
      return {
        key: `${base}-figures`,
        values: { email, recipients, minutes, address: str(d['clientAddress']) ?? '-' },
        dates: {},
      };
    }
    case 'account-locked': {
      const until = date(d['lockedUntil']);
      return until === null ? plain : { key: `${base}-figures`, values: { email }, dates: { until } };
    }
    case 'content-scanner-unavailable': {
      const since = date(d['since']);
      return since === null ? plain : { key: `${base}-figures`, values: { email }, dates: { since } };
    }
    default:
      return plain;
  }
}

/** The ways an alert reaches people: the admins' email and the signed webhook. */
export const ALERT_CHANNELS = ['email', 'webhook'] as const;
/** One delivery channel of an alert. */
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** pending: not yet handed on (it may be waiting for a retry); sent: accepted; failed: given up, with the reason. */
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/**
 * One alert on one channel, written in the same transaction as the alert (the outbox), then
 * delivered by a running server. `nextAttemptAt` is when it may be tried again; `claimedUntil`
 * is the lease a node holds while it delivers (no other node takes the row before then).
 */
export interface AlertDelivery {
  readonly id: string;
  readonly alertId: string;
  readonly channel: AlertChannel;
  readonly status: DeliveryStatus;
  /** Attempts made so far (0 until the first). */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly claimedUntil: Date | null;
  /** Why the last attempt failed (one sentence), or null. */
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

/** What the Alerts page and `GET /api/v1/alerts` show of one delivery. */
export type AlertDeliveryState = Pick<AlertDelivery, 'channel' | 'status' | 'attempts' | 'lastError' | 'sentAt'>;

/**
 * Waits between attempts, in milliseconds: after the first failure 10 s, then 1 min, 5 min, 30 min
 * and 2 h; a delivery that fails once more after these (6 attempts in about 2.6 hours) is failed.
 */
export const DELIVERY_BACKOFF_MS: readonly number[] = [10_000, 60_000, 300_000, 1_800_000, 7_200_000];

/** The fresh outbox rows of one alert, one per channel, due at once. */
export function newDeliveries(
  alertId: string,
  channels: readonly AlertChannel[],
  now: Date,
  uuid: () => string,
): AlertDelivery[] {
  return channels.map((channel) => ({
    id: uuid(),
    alertId,
    channel,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    claimedUntil: null,
    lastError: null,
    createdAt: now,
    sentAt: null,
  }));
}

/** The delivery after one attempt: sent, retried later with back-off, or failed for good. */
export function afterAttempt(
  d: AlertDelivery,
  outcome: { readonly ok: true } | { readonly ok: false; readonly reason: string },
  now: Date,
  backoffMs: readonly number[] = DELIVERY_BACKOFF_MS,
): AlertDelivery {
  const attempts = d.attempts + 1;
  if (outcome.ok) return { ...d, status: 'sent', attempts, sentAt: now, claimedUntil: null, lastError: null };
  const wait = backoffMs[attempts - 1];
  if (wait === undefined) return { ...d, status: 'failed', attempts, claimedUntil: null, lastError: outcome.reason };
  return {
    ...d,
    status: 'pending',
    attempts,
    claimedUntil: null,
    lastError: outcome.reason,
    nextAttemptAt: new Date(now.getTime() + wait),
  };
}

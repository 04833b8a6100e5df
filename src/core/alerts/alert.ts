/** Alert types, named after Microsoft 365's alert policies. */
export const ALERT_TYPES = [
  'user-restricted',
  'sending-limit-exceeded',
  'suspicious-sending',
  'account-locked',
  'user-unblocked',
  'restriction-released',
  'content-scanner-unavailable',
] as const;
/** One kind of alert, from ALERT_TYPES. */
export type AlertType = (typeof ALERT_TYPES)[number];
/** How urgent an alert is, as Microsoft 365's alert policies grade it. */
export type Severity = 'high' | 'medium' | 'low' | 'informational';

/** Title and severity per type (English titles; the portal translates by type). */
export const ALERT_META: Readonly<Record<AlertType, { readonly title: string; readonly severity: Severity }>> = {
  'user-restricted': { title: 'User restricted from sending email', severity: 'high' },
  'sending-limit-exceeded': { title: 'Email sending limit exceeded', severity: 'medium' },
  'suspicious-sending': { title: 'Suspicious email sending patterns detected', severity: 'medium' },
  'account-locked': { title: 'Account locked out', severity: 'medium' },
  'user-unblocked': { title: 'Restricted user unblocked', severity: 'informational' },
  'restriction-released': { title: 'Restriction released automatically', severity: 'informational' },
  'content-scanner-unavailable': { title: 'Content scanner (Rspamd) unavailable', severity: 'medium' },
};

/** A stored alert. */
export interface Alert {
  readonly id: string;
  readonly type: AlertType;
  readonly severity: Severity;
  readonly title: string;
  readonly userId: string | null;
  /** The user's email at the time, for display. */
  readonly userEmail: string | null;
  /** A sentence a person can read. */
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
  readonly resolvedBy: string | null;
}

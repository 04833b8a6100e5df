/** What happens when a sending limit is reached (Exchange Online Protection's three actions). */
export type LimitAction = 'restrict-until-tomorrow' | 'restrict' | 'alert';

/** Per-user sending limits. 0 means "no limit" for the hourly and daily recipient limits. */
export interface SendingLimits {
  /** Recipients outside the organisation's accepted domains, per sliding hour. */
  readonly externalPerHour: number;
  /** Recipients inside the accepted domains, per sliding hour. */
  readonly internalPerHour: number;
  /** All recipients, per sliding 24 hours. */
  readonly perDay: number;
  /** Messages per sliding minute (a throttle: 451 4.7.1, never a restriction). Default 30. */
  readonly messagesPerMinute: number;
  /** Recipients in one message (452 4.5.3 beyond). Default 500. */
  readonly recipientsPerMessage: number;
}

/** Who a custom policy applies to; the default policy applies to everyone. */
export interface PolicyScope {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly domains: readonly string[];
}

/** An outbound spam policy. Custom policies are matched by priority (lowest first, first match wins). */
export interface OutboundPolicy {
  readonly id: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly priority: number;
  readonly scope: PolicyScope;
  readonly limits: SendingLimits;
  readonly action: LimitAction;
  /** This many spam verdicts within `spamWindowMinutes` restrict the sender (kind: per `action`, at least until tomorrow). */
  readonly spamVerdictsToRestrict: number;
  readonly spamWindowMinutes: number;
  /** Score at or above which the built-in scorer's verdict is spam. */
  readonly spamScoreThreshold: number;
  /** Published cap: at most `unblockCap` admin unblocks per user within `unblockWindowDays`. */
  readonly unblockCap: number;
  readonly unblockWindowDays: number;
  /** External automatic forwarding allowed. */
  readonly autoForwarding: boolean;
  readonly updatedAt: Date;
}

/** The default policy's values, published in the docs and used on first run. */
export const DEFAULT_LIMITS: SendingLimits = Object.freeze({
  externalPerHour: 500,
  internalPerHour: 1000,
  perDay: 2000,
  messagesPerMinute: 30,
  recipientsPerMessage: 500,
});

/** Builds the default policy as stored on first run. */
export function defaultPolicy(id: string, now: Date): OutboundPolicy {
  return {
    id,
    name: 'Default',
    isDefault: true,
    priority: Number.MAX_SAFE_INTEGER,
    scope: { users: [], groups: [], domains: [] },
    limits: DEFAULT_LIMITS,
    action: 'restrict-until-tomorrow',
    spamVerdictsToRestrict: 5,
    spamWindowMinutes: 60,
    spamScoreThreshold: 10,
    unblockCap: 3,
    unblockWindowDays: 30,
    autoForwarding: false,
    updatedAt: now,
  };
}

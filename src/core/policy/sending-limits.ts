import { domainOf } from '../directory/address.js';
import type { WindowCheck, WindowResult } from '../../ports/counter-store.js';
import type { SendingLimits } from './outbound-policy.js';

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** One hour in milliseconds. */
export const HOUR_MS = 60 * MINUTE_MS;
/** 24 hours in milliseconds (a sliding day, not a calendar day). */
export const DAY_MS = 24 * HOUR_MS;

/** The rules a sending limit can fire under; stored as RestrictionEvidence.rule. */
export type LimitRule = 'external-per-hour' | 'internal-per-hour' | 'per-day' | 'messages-per-minute' | 'spam-verdicts';

/**
 * Counter keys of one user. Every key starts with `userCounterPrefix(userId)`, so an unblock
 * forgets all of a user's counters with one CounterStore.reset(prefix).
 */
export function userCounterPrefix(userId: string): string {
  return `u:${userId}:`;
}

/** The CounterStore key of each of a user's sending windows; every key starts with userCounterPrefix. */
export const counterKeys = {
  /** Messages (MAIL FROM) per sliding minute. */
  messages: (userId: string) => `u:${userId}:msg`,
  /** Recipients outside the accepted domains, per sliding hour. */
  external: (userId: string) => `u:${userId}:ext`,
  /** Recipients inside the accepted domains, per sliding hour. */
  internal: (userId: string) => `u:${userId}:int`,
  /** All recipients, per sliding 24 hours. */
  perDay: (userId: string) => `u:${userId}:day`,
  /** Spam verdicts, per the policy's spamWindowMinutes. */
  spam: (userId: string) => `u:${userId}:spam`,
  /** Recipients that got this body (SHA-256 of the normalised body), per sliding hour. */
  body: (userId: string, bodyHash: string) => `u:${userId}:body:${bodyHash}`,
  /** Messages from this client address, per sliding 24 hours. */
  clientAddress: (userId: string, address: string) => `u:${userId}:addr:${address}`,
  /** First messages from a client address unseen for 24 h, per sliding 10 minutes. */
  newAddress: (userId: string) => `u:${userId}:newaddr`,
  /** Recipients accepted, per sliding 10 minutes (the burst of the suspicious pattern). */
  burst: (userId: string) => `u:${userId}:burst`,
  /** One-shot gates that keep an alert from repeating within a window. */
  alertGate: (userId: string, name: string) => `u:${userId}:alert:${name}`,
} as const;

/** A window check together with the rule it enforces and the policy's limit (0 = none). */
export interface LimitCheck {
  readonly rule: LimitRule;
  readonly limit: number;
  readonly check: WindowCheck;
}

/** A limit that was (or would have been) crossed: `count` includes the event that crossed it. */
export interface LimitBreach {
  readonly rule: LimitRule;
  readonly count: number;
  readonly limit: number;
  /** e.g. "6 external recipients in the last hour; limit 5" */
  readonly summary: string;
}

/** Internal = the recipient's domain is one of the sender organisation's accepted domains. */
export function isInternalRecipient(recipient: string, acceptedDomains: readonly string[]): boolean {
  const domain = domainOf(recipient.toLowerCase());
  return acceptedDomains.some((d) => d.toLowerCase() === domain);
}

/**
 * The checks for one recipient: external-or-internal per sliding hour, then all recipients per
 * sliding 24 hours, for one atomic consume. With `enforce` false (action "alert") the counter
 * limits are 0, so the recipient is always counted and `findBreach` compares afterwards.
 */
export function recipientChecks(
  userId: string,
  limits: SendingLimits,
  isInternal: boolean,
  enforce: boolean,
): LimitCheck[] {
  const hourly: LimitCheck = isInternal
    ? {
        rule: 'internal-per-hour',
        limit: limits.internalPerHour,
        check: check(counterKeys.internal(userId), HOUR_MS, limits.internalPerHour, enforce),
      }
    : {
        rule: 'external-per-hour',
        limit: limits.externalPerHour,
        check: check(counterKeys.external(userId), HOUR_MS, limits.externalPerHour, enforce),
      };
  const daily: LimitCheck = {
    rule: 'per-day',
    limit: limits.perDay,
    check: check(counterKeys.perDay(userId), DAY_MS, limits.perDay, enforce),
  };
  return [hourly, daily];
}

/** The messages-per-minute throttle, checked once per message at MAIL FROM. */
export function messageCheck(userId: string, limits: SendingLimits): LimitCheck {
  return {
    rule: 'messages-per-minute',
    limit: limits.messagesPerMinute,
    check: check(counterKeys.messages(userId), MINUTE_MS, limits.messagesPerMinute, true),
  };
}

/**
 * Which limit a consume crossed. A refused consume names its failed check (the count is its
 * total plus the amount refused); an allowed, count-only consume (action "alert") is compared
 * against the policy limits, whose totals already include the amount.
 */
export function findBreach(checks: readonly LimitCheck[], result: WindowResult): LimitBreach | undefined {
  if (!result.allowed) {
    const failed = checks[result.failedIndex];
    if (failed === undefined) return undefined;
    return breach(failed.rule, (result.totals[result.failedIndex] ?? 0) + failed.check.amount, failed.limit);
  }
  for (const [i, c] of checks.entries()) {
    const total = result.totals[i] ?? 0;
    if (c.limit > 0 && total > c.limit) return breach(c.rule, total, c.limit);
  }
  return undefined;
}

/** Builds a breach with its readable summary. */
export function breach(rule: LimitRule, count: number, limit: number, windowMinutes = 60): LimitBreach {
  return { rule, count, limit, summary: `${describeCount(rule, count, windowMinutes)}; limit ${limit}` };
}

/** "6 external recipients in the last hour", "31 messages in the last minute" ... */
export function describeCount(rule: LimitRule, count: number, windowMinutes = 60): string {
  const s = count === 1 ? '' : 's';
  switch (rule) {
    case 'external-per-hour':
      return `${count} external recipient${s} in the last hour`;
    case 'internal-per-hour':
      return `${count} internal recipient${s} in the last hour`;
    case 'per-day':
      return `${count} recipient${s} in the last 24 hours`;
    case 'messages-per-minute':
      return `${count} message${s} in the last minute`;
    case 'spam-verdicts':
      return `${count} spam verdict${s} in the last ${windowMinutes === 1 ? 'minute' : `${windowMinutes} minutes`}`;
  }
}

function check(key: string, windowMs: number, limit: number, enforce: boolean): WindowCheck {
  return { key, windowMs, limit: enforce ? Math.max(0, limit) : 0, amount: 1 };
}

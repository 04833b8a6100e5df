/**
 * Limit evaluation: the WindowChecks built for a recipient and the readable reasons, run
 * against real MemoryCounters. Fakes: a fake clock (a mutable `now`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryCounters } from '../../../src/adapters/counters/memory-counters.js';
import { DEFAULT_LIMITS, type SendingLimits } from '../../../src/core/policy/outbound-policy.js';
import {
  counterKeys,
  describeCount,
  findBreach,
  HOUR_MS,
  isInternalRecipient,
  messageCheck,
  MINUTE_MS,
  recipientChecks,
  userCounterPrefix,
} from '../../../src/core/policy/sending-limits.js';

const LIMITS: SendingLimits = {
  ...DEFAULT_LIMITS,
  externalPerHour: 5,
  internalPerHour: 8,
  perDay: 10,
  messagesPerMinute: 3,
};
const START = Date.UTC(2025, 2, 3, 10, 0, 0);

describe('sending limits', () => {
  let counters: MemoryCounters;
  let now: number;
  /** Sends one recipient as the gateway would: one atomic consume of the recipient's checks. */
  const send = async (recipient: string, enforce = true, limits = LIMITS) => {
    const checks = recipientChecks('rob', limits, isInternalRecipient(recipient, ['contoso.com']), enforce);
    const result = await counters.consume(
      checks.map((c) => c.check),
      new Date(now),
    );
    return { result, breach: findBreach(checks, result) };
  };

  beforeEach(() => {
    counters = new MemoryCounters();
    now = START;
  });

  it('tells internal from external by the organisation accepted domains, case-insensitively', () => {
    expect(isInternalRecipient('megan@Contoso.com', ['contoso.com'])).toBe(true);
    expect(isInternalRecipient('megan@contoso.com.evil.example', ['contoso.com'])).toBe(false);
    expect(isInternalRecipient('a@sub.contoso.com', ['contoso.com'])).toBe(false);
  });

  it('accepts the 5th external recipient in an hour and refuses the 6th with a readable reason', async () => {
    for (let i = 0; i < 5; i++) {
      now += MINUTE_MS;
      expect((await send(`x${i}@fabrikam.com`)).result.allowed).toBe(true);
    }
    const sixth = await send('x6@fabrikam.com');
    expect(sixth.result.allowed).toBe(false);
    expect(sixth.breach).toEqual({
      rule: 'external-per-hour',
      count: 6,
      limit: 5,
      summary: '6 external recipients in the last hour; limit 5',
    });
  });

  it('counts internal recipients apart from external ones, but both toward the day', async () => {
    for (let i = 0; i < 5; i++) await send(`x${i}@fabrikam.com`);
    for (let i = 0; i < 5; i++) expect((await send(`m${i}@contoso.com`)).result.allowed).toBe(true);
    const eleventh = await send('m6@contoso.com');
    expect(eleventh.breach?.summary).toBe('11 recipients in the last 24 hours; limit 10');
    expect(eleventh.breach?.rule).toBe('per-day');
  });

  it('lets recipients go again an hour (and at most one minute) after the hour filled up', async () => {
    for (let i = 0; i < 5; i++) await send(`x${i}@fabrikam.com`);
    now = START + HOUR_MS - 1;
    expect((await send('late@fabrikam.com')).result.allowed).toBe(false);
    now = START + HOUR_MS + MINUTE_MS;
    expect((await send('later@fabrikam.com')).result.allowed).toBe(true);
  });

  it('does not reset at the top of the hour (no double burst)', async () => {
    now = START + 59 * MINUTE_MS;
    for (let i = 0; i < 5; i++) await send(`x${i}@fabrikam.com`);
    now = START + 61 * MINUTE_MS;
    expect((await send('x6@fabrikam.com')).breach?.summary).toBe('6 external recipients in the last hour; limit 5');
  });

  it('under "alert" counts without refusing and still reports the crossed limit', async () => {
    for (let i = 0; i < 5; i++) expect((await send(`x${i}@fabrikam.com`, false)).breach).toBeUndefined();
    const sixth = await send('x6@fabrikam.com', false);
    expect(sixth.result.allowed).toBe(true);
    expect(sixth.breach?.summary).toBe('6 external recipients in the last hour; limit 5');
  });

  it('treats a limit of 0 as no limit', async () => {
    const open = { ...LIMITS, externalPerHour: 0, perDay: 0 };
    for (let i = 0; i < 50; i++) expect((await send(`x${i}@fabrikam.com`, true, open)).result.allowed).toBe(true);
  });

  it('throttles messages per minute and words the reason', async () => {
    const check = messageCheck('rob', LIMITS);
    for (let i = 0; i < 3; i++) expect((await counters.consume([check.check], new Date(now))).allowed).toBe(true);
    const fourth = await counters.consume([check.check], new Date(now));
    expect(findBreach([check], fourth)?.summary).toBe('4 messages in the last minute; limit 3');
    now += MINUTE_MS + 1000;
    expect((await counters.consume([check.check], new Date(now))).allowed).toBe(true);
  });

  it('keeps every key of a user under one prefix, so an unblock resets them all', async () => {
    const prefix = userCounterPrefix('rob');
    for (const key of [
      counterKeys.messages('rob'),
      counterKeys.external('rob'),
      counterKeys.internal('rob'),
      counterKeys.perDay('rob'),
      counterKeys.spam('rob'),
      counterKeys.body('rob', 'ab'),
      counterKeys.alertGate('rob', 'limit'),
    ]) {
      expect(key.startsWith(prefix)).toBe(true);
    }
    expect(counterKeys.external('rob2').startsWith(prefix)).toBe(false);
  });

  it('words singular counts and spam verdict windows', () => {
    expect(describeCount('external-per-hour', 1)).toBe('1 external recipient in the last hour');
    expect(describeCount('spam-verdicts', 5, 30)).toBe('5 spam verdicts in the last 30 minutes');
  });
});

/**
 * The what-if replay of one user, rule by rule: limit edges, window roll-over, the per-message cap,
 * the messages-per-minute throttle, "alert", spam verdicts, restrict-until-tomorrow across UTC
 * midnight, warm-up rows, and the rows it has to guess about. If one fails, the preview an admin
 * sees before saving a policy disagrees with what the live engine will do.
 *
 * Fakes: none (pure core; times are plain epoch milliseconds).
 */
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type OutboundPolicy } from '../../../src/core/policy/outbound-policy.js';
import { UserReplay, TIMELINE_MAX } from '../../../src/core/what-if/user-replay.js';
import type { ReplayRow } from '../../../src/ports/replay-source.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const MIN = 60_000;

function policy(
  over: Partial<Omit<OutboundPolicy, 'limits'>> & { limits?: Partial<OutboundPolicy['limits']> } = {},
): OutboundPolicy {
  const base = defaultPolicy('default', new Date(T0));
  return { ...base, ...over, limits: { ...base.limits, ...over.limits } };
}

function row(at: number, over: Partial<ReplayRow> = {}): ReplayRow {
  return {
    at,
    userId: 'u1',
    sender: 'rob@contoso.com',
    internal: 0,
    external: 1,
    refusedInternal: 0,
    refusedExternal: 0,
    refused: 0,
    spamScore: 1,
    outcome: 'relayed',
    reasonCode: null,
    ...over,
  };
}

function replay(p: OutboundPolicy, rows: readonly ReplayRow[], reportFrom = 0) {
  const r = new UserReplay('u1', p, reportFrom);
  for (const x of rows) r.add(x);
  return r.result();
}

describe('recipient limits', () => {
  it('exactly the limit passes; the next recipient restricts, and the rest of the message is refused', () => {
    const p = policy({ limits: { externalPerHour: 5 } });
    expect(replay(p, [row(T0, { external: 5 })]).restrictions).toBe(0);
    const r = replay(p, [row(T0, { external: 5 }), row(T0 + MIN, { external: 3 })]);
    expect(r.firstRestriction).toMatchObject({
      at: new Date(T0 + MIN),
      rule: 'external-per-hour',
      count: 6,
      limit: 5,
      summary: '6 external recipients in the last hour; limit 5',
    });
    expect(r.recipientsRefused).toBe(3);
    expect(r.messagesRefused).toBe(1);
  });

  it('internal and external recipients have their own hourly windows and share the daily one', () => {
    const p = policy({ limits: { externalPerHour: 2, internalPerHour: 2, perDay: 3 } });
    const r = replay(p, [row(T0, { external: 2, internal: 2 })]);
    // External first (2, fits), then internal: the 1st fits the day (3), the 2nd is the 4th of the day.
    expect(r.firstRestriction).toMatchObject({ rule: 'per-day', count: 4, limit: 3 });
    expect(r.recipientsRefused).toBe(1);
  });

  it('the hourly window rolls over: 61 minutes later the same sender may send the full limit again', () => {
    const p = policy({ limits: { externalPerHour: 5 } });
    // Buckets are 1 minute wide: an event counts for more than 60 and at most 61 minutes.
    expect(replay(p, [row(T0, { external: 5 }), row(T0 + 61 * MIN, { external: 5 })]).restrictions).toBe(0);
    expect(replay(p, [row(T0, { external: 5 }), row(T0 + 60 * MIN, { external: 1 })]).restrictions).toBe(1);
  });

  it('recipients the live engine refused are offered again, after the accepted ones', () => {
    const p = policy({ limits: { externalPerHour: 10 } });
    const r = replay(p, [row(T0, { external: 5, refused: 6, refusedExternal: 6, outcome: 'relayed' })]);
    expect(r.firstRestriction).toMatchObject({ count: 11, limit: 10 });
    expect(r.recipientsRefused).toBe(1);
    expect(r.actualRecipientsRefused).toBe(6);
  });
});

describe('restriction length', () => {
  it('restrict-until-tomorrow ends at UTC midnight; the next day sends again', () => {
    const p = policy({ limits: { externalPerHour: 1 } });
    const late = Date.UTC(2026, 10, 20, 23, 59, 0);
    const r = replay(p, [
      row(late, { external: 2 }),
      row(Date.UTC(2026, 10, 20, 23, 59, 59)),
      row(Date.UTC(2026, 10, 21, 0, 0, 0)),
    ]);
    expect(r.timeline.map((e) => [e.kind, e.at.toISOString()])).toEqual([
      ['restricted', '2026-11-20T23:59:00.000Z'],
      ['released', '2026-11-21T00:00:00.000Z'],
      // The window still holds 23:59's recipient (the sliding hour does not restart at midnight).
      ['restricted', '2026-11-21T00:00:00.000Z'],
    ]);
    expect(r.restrictions).toBe(2);
  });

  it('"restrict" lasts to the end of the range (admin unblocks are not replayed)', () => {
    const p = policy({ action: 'restrict', limits: { externalPerHour: 1 } });
    const r = replay(p, [row(T0, { external: 2 }), row(T0 + 3 * 24 * 60 * MIN, { external: 1 })]);
    expect(r.restrictions).toBe(1);
    // The first message still reached its first recipient; the one three days later reaches nobody.
    expect(r.messagesRefused).toBe(1);
    expect(r.recipientsRefused).toBe(2);
  });

  it('"alert" restricts nobody and alerts at most once an hour', () => {
    const p = policy({ action: 'alert', limits: { externalPerHour: 1 } });
    const r = replay(p, [row(T0, { external: 3 }), row(T0 + 10 * MIN), row(T0 + 61 * MIN, { external: 2 })]);
    expect(r.restrictions).toBe(0);
    expect(r.recipientsRefused).toBe(0);
    expect(r.timeline.map((e) => [e.kind, e.at.getTime() - T0])).toEqual([
      ['alerted', 0],
      ['alerted', 61 * MIN],
    ]);
    expect(r.firstAlertedAt).toEqual(new Date(T0));
  });
});

describe('throttle, cap and spam', () => {
  it('the 31st message within a minute is deferred with all its recipients', () => {
    const rows = Array.from({ length: 31 }, (_, i) => row(T0 + i * 1000, { external: 2 }));
    const r = replay(policy(), rows);
    expect(r.firstDeferredAt).toEqual(new Date(T0 + 30_000));
    expect(r.timeline[0]).toMatchObject({ kind: 'deferred', rule: 'messages-per-minute', count: 31, limit: 30 });
    expect(r.recipientsRefused).toBe(2);
  });

  it('recipients past the per-message cap are deferred, not restricted', () => {
    const r = replay(policy({ limits: { recipientsPerMessage: 3 } }), [row(T0, { external: 5 })]);
    expect(r.restrictions).toBe(0);
    expect(r.recipientsRefused).toBe(2);
    expect(r.timeline[0]).toMatchObject({ kind: 'deferred', rule: 'recipients-per-message', limit: 3 });
  });

  it('a lower spam threshold refuses stored scores at or above it; enough verdicts restrict', () => {
    const p = policy({ spamScoreThreshold: 5, spamVerdictsToRestrict: 2 });
    const r = replay(p, [
      row(T0, { spamScore: 4 }),
      row(T0 + MIN, { spamScore: 5 }),
      row(T0 + 2 * MIN, { spamScore: 9 }),
    ]);
    expect(r.timeline.map((e) => e.kind)).toEqual(['spam-refused', 'restricted']);
    expect(r.firstRestriction).toMatchObject({ rule: 'spam-verdicts', count: 2, limit: 2 });
    expect(r.messagesRefused).toBe(2);
  });
});

describe('range and honesty', () => {
  it('warm-up rows before the range fill the windows but report nothing', () => {
    const p = policy({ limits: { externalPerHour: 5 } });
    const r = replay(p, [row(T0, { external: 5 }), row(T0 + 30 * MIN, { external: 1 })], T0 + 10 * MIN);
    expect(r.messages).toBe(1);
    expect(r.firstRestriction?.at).toEqual(new Date(T0 + 30 * MIN));
    const early = replay(p, [row(T0, { external: 6 })], T0 + MIN);
    expect(early.restrictions).toBe(0);
    expect(early.timeline).toEqual([]);
  });

  it('counts the rows it had to guess about, and skips senders that were not the user', () => {
    const r = replay(policy(), [
      row(T0, { refusedInternal: null, refusedExternal: null, refused: 2 }),
      row(T0 + 1, { external: 0, outcome: 'rejected', reasonCode: 'SENDER_RESTRICTED', spamScore: null }),
      row(T0 + 2, { reasonCode: 'SENDER_NOT_ALLOWED', outcome: 'rejected' }),
    ]);
    expect(r.guessedKindRows).toBe(1);
    expect(r.unknownRecipientRows).toBe(1);
    expect(r.messages).toBe(2);
  });

  it('keeps at most TIMELINE_MAX events and counts the rest', () => {
    const p = policy({ action: 'alert', limits: { externalPerHour: 1 } });
    const rows = Array.from({ length: TIMELINE_MAX + 5 }, (_, i) => row(T0 + i * 61 * MIN, { external: 2 }));
    const r = replay(p, rows);
    expect(r.timeline).toHaveLength(TIMELINE_MAX);
    expect(r.omittedEvents).toBe(5);
  });
});

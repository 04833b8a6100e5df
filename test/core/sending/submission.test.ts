/**
 * The submission guard against real components: a fresh SQLite store per test
 * (test/support/db.ts), MemoryCounters, the core's RestrictionService and AlertService,
 * NodeRandom.
 * Fakes: the Clock (FakeClock, moved by hand). Alerts only go to the store's outbox.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryCounters } from '../../../src/adapters/counters/memory-counters.js';
import { NodeRandom } from '../../../src/adapters/system/node-random.js';
import { AlertService } from '../../../src/core/alerts/alert-service.js';
import type { User } from '../../../src/core/directory/user.js';
import { builtInContentScorer } from '../../../src/core/policy/content-scorer.js';
import type { LimitAction, SendingLimits } from '../../../src/core/policy/outbound-policy.js';
import { policyFor } from '../../../src/core/policy/policy-match.js';
import { userCounterPrefix } from '../../../src/core/policy/sending-limits.js';
import { RestrictionService } from '../../../src/core/restrictions/restriction-service.js';
import type { Principal } from '../../../src/core/roles/principal.js';
import type { Envelope } from '../../../src/core/sending/submission-port.js';
import { Submission } from '../../../src/core/sending/submission.js';
import type { MessageFacts } from '../../../src/ports/content-scorer.js';
import { makeUser } from '../../support/builders.js';
import { type TestStore, withSqliteStore } from '../../support/db.js';
import { FakeClock } from '../../support/fake-clock.js';
import { prng } from '../../support/prng.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 2, 3, 10, 0, 0);
const ADMIN: Principal = { actor: { kind: 'cli', id: 'ops', label: 'cli:ops' }, roles: ['global-admin'], userId: null };

const ROB: User = makeUser('rob@contoso.com', {
  id: 'u-rob',
  orgId: 'org-contoso',
  displayName: 'Rob Young',
  aliases: ['robert@contoso.com'],
  createdAt: new Date(START - 30 * 24 * HOUR),
});

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  sender: ROB.email,
  recipients: ['megan@contoso.com'],
  externalRecipients: 0,
  fromHeader: `Rob Young <${ROB.email}>`,
  replyTo: null,
  subject: 'Lunch on Friday',
  text: 'Shall we meet at noon?',
  links: [],
  attachments: [],
  bodyHash: 'b'.repeat(64),
  ...over,
});

const PHISH: Partial<MessageFacts> = {
  subject: 'Mailbox full',
  text: 'Your account will be suspended. Verify your account now: https://bit.ly/fix-mbx',
  links: ['https://bit.ly/fix-mbx'],
  replyTo: 'help@mailbox-support.example',
};

/** A guard on a fresh SQLite store and in-process counters, with Contoso and Rob in it. */
async function openGuard() {
  const db = await withSqliteStore();
  const clock = new FakeClock(new Date(START));
  const counters = new MemoryCounters();
  const uow = db.store.uow;
  const random = new NodeRandom();
  const alerts = new AlertService({ uow, clock, random, channels: ['email'] });
  const restrictions = new RestrictionService({
    uow,
    clock,
    random,
    raiseAlert: (input, within) => alerts.raise(input, within),
    resetCounters: (userId) => counters.reset(userCounterPrefix(userId)),
    policyFor,
  });
  const guard = new Submission({
    uow,
    counters,
    clock,
    scorer: builtInContentScorer,
    restrict: (input) => restrictions.restrictUser(input),
    activeRestriction: (userId) => restrictions.activeRestriction(userId),
    raiseAlert: (input) => alerts.raise(input),
    sendingState: db.store.stores.sendingState,
  });
  await db.store.stores.orgs.insert({
    id: ROB.orgId,
    name: 'Contoso',
    domains: ['contoso.com'],
    createdAt: new Date(START - HOUR),
  });
  await db.store.stores.users.insert(ROB);
  const close = async () => {
    await counters.close();
    await db.cleanup();
  };
  return { db, clock, counters, restrictions, guard, close };
}

describe('Submission guard', () => {
  let db: TestStore;
  let clock: FakeClock;
  let counters: MemoryCounters;
  let restrictions: RestrictionService;
  let guard: Submission;

  const envelope = (accepted: readonly string[] = [], clientAddress: string | null = '198.51.100.7'): Envelope => ({
    user: ROB,
    clientAddress,
    mailFrom: ROB.email,
    accepted,
  });
  const setPolicy = async (
    limits: Partial<SendingLimits>,
    action: LimitAction = 'restrict-until-tomorrow',
    extra: Record<string, unknown> = {},
  ) => {
    const current = await db.store.stores.policies.getDefault();
    if (!current) throw new Error('no default policy after migration');
    await db.store.stores.policies.save({ ...current, limits: { ...current.limits, ...limits }, action, ...extra });
  };
  const alertsOf = async (type?: string) =>
    (await db.store.stores.alerts.list({ limit: 500 })).items.filter((a) => type === undefined || a.type === type);
  /** Sends n external recipients one RCPT at a time, as one message; returns the decisions. */
  const rcpts = async (n: number, domain = 'fabrikam.com', tag = 'x') => {
    const out = [];
    const accepted: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = await guard.checkRecipient(envelope(accepted), `${tag}${i}@${domain}`);
      if (d.kind === 'accept') accepted.push(`${tag}${i}@${domain}`);
      out.push(d);
    }
    return out;
  };

  beforeEach(async () => {
    ({ db, clock, counters, restrictions, guard } = await openGuard());
  });

  afterEach(async () => {
    await counters.close();
    await db.cleanup();
  });

  describe('MAIL FROM', () => {
    it('refuses an address that is not the user nor an alias (550 5.7.60)', async () => {
      expect(await guard.checkSender(ROB, 'ceo@contoso.com', null)).toEqual({
        kind: 'reject',
        code: 'SENDER_NOT_ALLOWED',
        reason: 'ceo@contoso.com is not an address of rob@contoso.com.',
      });
      expect((await guard.checkSender(ROB, '', null)).kind).toBe('reject');
      expect(await guard.checkSender(ROB, 'Robert@CONTOSO.com', null)).toEqual({ kind: 'accept' });
    });

    it('throttles messages per minute with a deferral, never a restriction', async () => {
      await setPolicy({ messagesPerMinute: 3 });
      for (let i = 0; i < 3; i++) expect((await guard.checkSender(ROB, ROB.email, null)).kind).toBe('accept');
      expect(await guard.checkSender(ROB, ROB.email, null)).toEqual({
        kind: 'defer',
        code: 'RATE_LIMITED',
        reason: '4 messages in the last minute; limit 3',
      });
      clock.advance(MINUTE + 1000);
      expect((await guard.checkSender(ROB, ROB.email, null)).kind).toBe('accept');
      expect(await restrictions.activeRestriction(ROB.id)).toBeUndefined();
    });

    it('refuses a restricted sender (550 5.1.8)', async () => {
      await restrictions.restrictUser({
        userId: ROB.id,
        kind: 'until-unblocked',
        evidence: { rule: 'manual', summary: 'hijacked', counts: {} },
      });
      expect(await guard.checkSender(ROB, ROB.email, null)).toMatchObject({
        kind: 'reject',
        code: 'SENDER_RESTRICTED',
      });
    });
  });

  describe('RCPT TO', () => {
    it('defers a recipient past the per-message cap (452 4.5.3)', async () => {
      await setPolicy({ recipientsPerMessage: 2 });
      const accepted = ['a@contoso.com', 'b@contoso.com'];
      expect(await guard.checkRecipient(envelope(accepted), 'c@contoso.com')).toEqual({
        kind: 'defer',
        code: 'TOO_MANY_RECIPIENTS',
        reason: 'A message may have at most 2 recipients.',
      });
    });

    it('restricts until tomorrow at the 6th external recipient, refuses every later one, and alerts once', async () => {
      await setPolicy({ externalPerHour: 5 });
      const decisions = await rcpts(8);
      expect(decisions.slice(0, 5).every((d) => d.kind === 'accept')).toBe(true);
      expect(decisions[5]).toEqual({
        kind: 'restrict',
        code: 'SENDER_RESTRICTED',
        reason:
          '6 external recipients in the last hour; limit 5; rob@contoso.com is restricted until tomorrow (UTC midnight).',
      });
      expect(decisions.slice(6).map((d) => d.kind)).toEqual(['reject', 'reject']);
      // Internal mail is stopped too: the user is restricted, not just the external limit.
      expect(await guard.checkRecipient(envelope(), 'megan@contoso.com')).toMatchObject({
        kind: 'reject',
        code: 'SENDER_RESTRICTED',
      });
      const r = await restrictions.activeRestriction(ROB.id);
      expect(r?.kind).toBe('until-tomorrow');
      expect(r?.releaseAt?.toISOString()).toBe('2025-03-04T00:00:00.000Z');
      expect(r?.evidence).toMatchObject({
        rule: 'external-per-hour',
        summary: '6 external recipients in the last hour; limit 5',
        limit: 5,
        counts: { 'external-per-hour': 6, 'per-day': 6 },
      });
      expect((await alertsOf('user-restricted')).length).toBe(1);
      expect((await alertsOf('sending-limit-exceeded')).length).toBe(1);
    });

    it('lets the user send again after UTC midnight', async () => {
      await setPolicy({ externalPerHour: 5 });
      clock.set(new Date(Date.UTC(2025, 2, 3, 23, 50)));
      await rcpts(6);
      expect((await guard.checkRecipient(envelope(), 'y@fabrikam.com')).kind).toBe('reject');
      clock.set(new Date(Date.UTC(2025, 2, 4, 0, 0, 1)));
      expect(await guard.checkRecipient(envelope(), 'y@fabrikam.com')).toMatchObject({ kind: 'accept' });
    });

    it('restricts until an admin unblocks under the action "restrict"', async () => {
      await setPolicy({ internalPerHour: 3 }, 'restrict');
      const decisions = await rcpts(4, 'contoso.com');
      expect(decisions[3]).toMatchObject({
        kind: 'restrict',
        reason:
          '4 internal recipients in the last hour; limit 3; rob@contoso.com is restricted until an admin unblocks them.',
      });
      clock.advance(3 * 24 * HOUR);
      expect((await guard.checkRecipient(envelope(), 'megan@contoso.com')).kind).toBe('reject');
    });

    it('stops at the per-day limit across hours', async () => {
      await setPolicy({ externalPerHour: 5, perDay: 12 });
      await rcpts(5, 'fabrikam.com', 'a');
      clock.advance(2 * HOUR);
      await rcpts(5, 'fabrikam.com', 'b');
      clock.advance(2 * HOUR);
      const third = await rcpts(3, 'fabrikam.com', 'c');
      expect(third.map((d) => d.kind)).toEqual(['accept', 'accept', 'restrict']);
      expect(third[2]).toMatchObject({
        reason: expect.stringContaining('13 recipients in the last 24 hours; limit 12'),
      });
    });

    it('applies an unblock to the very next RCPT, and after that defers instead of restricting again today', async () => {
      await setPolicy({ externalPerHour: 2 });
      await rcpts(3);
      expect((await guard.checkRecipient(envelope(), 'z@fabrikam.com')).kind).toBe('reject');
      await restrictions.unblock(ADMIN, ROB.email, { confirm: true });
      clock.advance(MINUTE);
      const again = await rcpts(3, 'fabrikam.com', 'y');
      expect(again.slice(0, 2).map((d) => d.kind)).toEqual(['accept', 'accept']);
      expect(again[2]).toEqual({
        kind: 'defer',
        code: 'SENDING_LIMIT_DEFERRED',
        reason:
          '3 external recipients in the last hour; limit 2; rob@contoso.com was unblocked today, so mail beyond the limit waits.',
      });
      expect(await restrictions.activeRestriction(ROB.id)).toBeUndefined();
      expect((await alertsOf('sending-limit-exceeded')).length).toBe(2);
      // A different rule still restricts.
      await setPolicy({ externalPerHour: 2, internalPerHour: 1 });
      const internal = await rcpts(2, 'contoso.com', 'i');
      expect(internal[1]?.kind).toBe('restrict');
    });

    it('under "alert" accepts past the limit and alerts once an hour', async () => {
      await setPolicy({ externalPerHour: 2 }, 'alert');
      expect((await rcpts(5)).every((d) => d.kind === 'accept')).toBe(true);
      const first = await alertsOf('sending-limit-exceeded');
      expect(first.map((a) => a.summary)).toEqual([
        'rob@contoso.com crossed a sending limit: 3 external recipients in the last hour; limit 2.',
      ]);
      clock.advance(HOUR + 2 * MINUTE);
      await rcpts(3, 'fabrikam.com', 'later');
      expect((await alertsOf('sending-limit-exceeded')).length).toBe(2);
      expect(await restrictions.activeRestriction(ROB.id)).toBeUndefined();
    });

    it('never accepts one recipient past the limit when 30 RCPTs race', async () => {
      await setPolicy({ externalPerHour: 5 });
      const decisions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => guard.checkRecipient(envelope(), `r${i}@fabrikam.com`)),
      );
      expect(decisions.filter((d) => d.kind === 'accept')).toHaveLength(5);
      expect(decisions.every((d) => d.kind === 'accept' || ('code' in d && d.code === 'SENDER_RESTRICTED'))).toBe(true);
      expect((await alertsOf('user-restricted')).length).toBe(1);
    });
  });

  describe('DATA', () => {
    it('accepts a clean message with its score', async () => {
      expect(await guard.checkMessage(envelope(['megan@contoso.com']), facts())).toEqual({
        kind: 'accept',
        spamScore: 0,
        isSpam: false,
      });
    });

    it('refuses spam naming the strongest signals, and restricts at the third verdict even under "alert"', async () => {
      await setPolicy({}, 'alert', { spamVerdictsToRestrict: 3, spamWindowMinutes: 30 });
      const first = await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH));
      expect(first.kind).toBe('reject');
      expect(first.isSpam).toBe(true);
      expect(first).toMatchObject({ code: 'SPAM_DETECTED' });
      expect('reason' in first && first.reason).toBe(
        `Message refused as spam (score ${first.spamScore}, threshold 10): spam phrases: "your account will be suspended", "verify your account"; link shortener bit.ly; replies go to mailbox-support.example, not contoso.com.`,
      );
      await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH));
      const third = await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH));
      expect(third).toMatchObject({ kind: 'restrict', code: 'SENDER_RESTRICTED', isSpam: true });
      const r = await restrictions.activeRestriction(ROB.id);
      expect(r?.kind).toBe('until-tomorrow');
      expect(r?.evidence).toMatchObject({
        rule: 'spam-verdicts',
        summary: '3 spam verdicts in the last 30 minutes; limit 3',
        limit: 3,
      });
      expect(r?.evidence.verdicts?.[0]?.score).toBe(third.spamScore);
      expect((await alertsOf('user-restricted')).length).toBe(1);
    });

    it('forgets spam verdicts older than the spam window', async () => {
      await setPolicy({}, 'restrict', { spamVerdictsToRestrict: 2, spamWindowMinutes: 30 });
      await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH));
      clock.advance(32 * MINUTE);
      expect((await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH))).kind).toBe('reject');
      expect((await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH))).kind).toBe('restrict');
      expect((await restrictions.activeRestriction(ROB.id))?.kind).toBe('until-unblocked');
    });

    it('restricts on spam even after an unblock the same day', async () => {
      await setPolicy({}, 'restrict-until-tomorrow', { spamVerdictsToRestrict: 1 });
      expect((await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH))).kind).toBe('restrict');
      await restrictions.unblock(ADMIN, ROB.email, { confirm: true });
      expect((await guard.checkMessage(envelope(['megan@contoso.com']), facts(PHISH))).kind).toBe('restrict');
    });

    it('counts the same body across messages and scores it when it went to many', async () => {
      const many = Array.from({ length: 25 }, (_, i) => `p${i}@contoso.com`);
      expect((await guard.checkMessage(envelope(many), facts({ recipients: many }))).spamScore).toBe(0);
      const again = await guard.checkMessage(envelope(['q@contoso.com']), facts({ recipients: ['q@contoso.com'] }));
      expect(again).toEqual({ kind: 'accept', spamScore: 3, isSpam: false });
      const otherBody = await guard.checkMessage(
        envelope(['q@contoso.com']),
        facts({ recipients: ['q@contoso.com'], bodyHash: 'c'.repeat(64) }),
      );
      expect(otherBody.spamScore).toBe(0);
    });

    it('refuses the message of a user restricted meanwhile (another session, the CLI)', async () => {
      await restrictions.restrictUser({
        userId: ROB.id,
        kind: 'until-unblocked',
        evidence: { rule: 'manual', summary: 'hijacked', counts: {} },
      });
      expect(await guard.checkMessage(envelope(['megan@contoso.com']), facts())).toMatchObject({
        kind: 'reject',
        code: 'SENDER_RESTRICTED',
      });
    });
  });

  describe('messages in flight when a limit restricts the user', () => {
    it('delivers a message whose recipients were counted before another session crossed the limit', async () => {
      await setPolicy({ externalPerHour: 5 });
      const first = await rcpts(5, 'fabrikam.com', 'a'); // session A: 5 recipients, all within the limit
      expect(first.every((d) => d.kind === 'accept')).toBe(true);
      const other = await guard.checkRecipient(envelope(), 'late@fabrikam.com'); // session B crosses it
      expect(other).toMatchObject({ kind: 'restrict', code: 'SENDER_RESTRICTED' });
      const accepted = Array.from({ length: 5 }, (_, i) => `a${i}@fabrikam.com`);
      expect(
        await guard.checkMessage(envelope(accepted), facts({ recipients: accepted, externalRecipients: 5 })),
      ).toMatchObject({ kind: 'accept' });
      // but no new recipient gets through
      expect(await guard.checkRecipient(envelope(), 'new@fabrikam.com')).toMatchObject({
        kind: 'reject',
        code: 'SENDER_RESTRICTED',
      });
    });
  });

  describe('suspicious sending pattern', () => {
    it('alerts once when a new client address is followed by 20 recipients within 10 minutes', async () => {
      await guard.checkSender(ROB, ROB.email, '203.0.113.9');
      const env = envelope([], '203.0.113.9');
      for (let i = 0; i < 19; i++) await guard.checkRecipient(env, `m${i}@contoso.com`);
      expect(await alertsOf('suspicious-sending')).toHaveLength(0);
      await guard.checkRecipient(env, 'm19@contoso.com');
      await guard.checkRecipient(env, 'm20@contoso.com');
      const alerts = await alertsOf('suspicious-sending');
      expect(alerts.map((a) => a.summary)).toEqual([
        'rob@contoso.com sent to 20 recipients within 10 minutes of a first message from a client address not seen in the last 24 hours (203.0.113.9).',
      ]);
    });

    it('after the alert, each further recipient of the burst is one counter step, and the next day alerts again', async () => {
      await guard.checkSender(ROB, ROB.email, '203.0.113.9');
      const env = envelope([], '203.0.113.9');
      for (let i = 0; i < 20; i++) await guard.checkRecipient(env, `m${i}@contoso.com`);
      expect(await alertsOf('suspicious-sending')).toHaveLength(1);
      // The gate is read with the recipient's own counters, so a closed gate costs no second step.
      const steps = vi.spyOn(counters, 'consume');
      for (let i = 20; i < 30; i++) await guard.checkRecipient(env, `m${i}@contoso.com`);
      expect(steps).toHaveBeenCalledTimes(10);
      steps.mockRestore();
      expect(await alertsOf('suspicious-sending')).toHaveLength(1);
      // A day and a bucket later the gate is open again: a new address and a new burst alert once more.
      clock.advance(24 * HOUR + 30 * MINUTE);
      await guard.checkSender(ROB, ROB.email, '198.51.100.44');
      const next = envelope([], '198.51.100.44');
      for (let i = 0; i < 25; i++) await guard.checkRecipient(next, `n${i}@contoso.com`);
      expect((await alertsOf('suspicious-sending')).map((a) => a.summary)).toEqual([
        'rob@contoso.com sent to 20 recipients within 10 minutes of a first message from a client address not seen in the last 24 hours (198.51.100.44).',
        'rob@contoso.com sent to 20 recipients within 10 minutes of a first message from a client address not seen in the last 24 hours (203.0.113.9).',
      ]);
    });

    it('stays quiet for an address seen earlier today', async () => {
      await guard.checkSender(ROB, ROB.email, '203.0.113.9');
      clock.advance(2 * HOUR);
      await guard.checkSender(ROB, ROB.email, '203.0.113.9');
      for (let i = 0; i < 25; i++) await guard.checkRecipient(envelope([], '203.0.113.9'), `m${i}@contoso.com`);
      expect(await alertsOf('suspicious-sending')).toHaveLength(0);
    });
  });
});

describe('checkFirstRecipient (the policy service: sender and first recipient in one counter step)', () => {
  /** A guard on its own store and counters, its default policy's limits changed. */
  const build = async (limits: Partial<SendingLimits>) => {
    const { db, clock, restrictions, guard, close } = await openGuard();
    const current = await db.store.stores.policies.getDefault();
    if (!current) throw new Error('no default policy after migration');
    await db.store.stores.policies.save({ ...current, limits: { ...current.limits, ...limits } });
    const seen = async () => ({
      alerts: (await db.store.stores.alerts.list({ limit: 500 })).items.map((a) => `${a.type}: ${a.summary}`).sort(),
      restricted: (await restrictions.activeRestriction(ROB.id))?.kind ?? 'none',
    });
    return { guard, clock, seen, close };
  };

  // Tight limits (throttle, restriction, deferral after it) and loose ones (the burst alert after a new address).
  const cases: [string, Partial<SendingLimits>][] = [
    ['tight', { messagesPerMinute: 3, externalPerHour: 6, recipientsPerMessage: 4 }],
    ['loose', { messagesPerMinute: 100, externalPerHour: 1000, internalPerHour: 1000, perDay: 5000 }],
  ];
  it.each(cases)(
    'decides and counts as checkSender then checkRecipient (%s limits, seeded messages)',
    async (_, limits) => {
      for (const seed of [1, 2, 3]) {
        const rnd = prng(seed);
        const one = await build(limits); // checkFirstRecipient
        const two = await build(limits); // checkSender, then checkRecipient
        try {
          for (let m = 0; m < 40; m++) {
            const step = Math.floor(rnd() * 40_000);
            one.clock.advance(step);
            two.clock.advance(step);
            const address = ['203.0.113.9', '198.51.100.7', null][Math.floor(rnd() * 3)] ?? null;
            const domain = rnd() < 0.5 ? 'contoso.com' : 'fabrikam.com';
            const first = `m${m}@${domain}`;
            const env: Envelope = { user: ROB, clientAddress: address, mailFrom: ROB.email, accepted: [] };
            const a = await one.guard.checkFirstRecipient(env, first);
            const sender = await two.guard.checkSender(ROB, ROB.email, address);
            const b = {
              sender,
              recipient: sender.kind === 'accept' ? await two.guard.checkRecipient(env, first) : undefined,
            };
            expect(a, `seed ${seed}, message ${m}`).toEqual(b);
            if (a.recipient?.kind !== 'accept') continue;
            // The rest of the message's recipients, the same on both sides.
            const accepted = [first];
            for (let r = 1; r < 1 + Math.floor(rnd() * 4); r++) {
              const rcpt = `m${m}r${r}@${rnd() < 0.5 ? 'contoso.com' : 'fabrikam.com'}`;
              const e: Envelope = { ...env, accepted: [...accepted] };
              const x = await one.guard.checkRecipient(e, rcpt);
              expect(x, `seed ${seed}, message ${m}, recipient ${r}`).toEqual(await two.guard.checkRecipient(e, rcpt));
              if (x.kind === 'accept') accepted.push(rcpt);
            }
          }
          expect(await one.seen()).toEqual(await two.seen());
        } finally {
          await one.close();
          await two.close();
        }
      }
    },
  );
});

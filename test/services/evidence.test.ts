/**
 * Issue 15 part 4: the messages that counted as evidence. What is kept (spam verdicts and refused
 * Send As, nothing else), the bounds (20 per restriction, the first 1 MB of each, cut and said so),
 * who may read them (whoever may unblock; helpdesk and security reader are FORBIDDEN and the
 * refusal is audited), every view audited, and learning at unblock (its failure never undoes it).
 * If this fails, an admin either sees no real evidence or a role that should not can read mail.
 *
 * Fakes: FakeClock, and a recording ContentLearner (the real Rspamd is in test/e2e/stack-evidence.test.ts).
 * Store (SQLite and PostgreSQL), vault encryption and counters are real.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceCandidate } from '../../src/core/evidence/evidence-service.js';
import { EVIDENCE_MAX_BYTES, EVIDENCE_PER_RESTRICTION } from '../../src/core/evidence/evidence.js';
import type { ContentLearner } from '../../src/ports/evidence-vault.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, principal } from '../support/core-services.js';

const ROB = 'rob@contoso.com';
const SECURITY_ADMIN = principal(['security-admin']);
const HELPDESK = principal(['helpdesk']);
const READER = principal(['security-reader']);
const spamEvidence = { rule: 'spam-verdicts', summary: '3 spam verdicts in the last 60 minutes; limit 3', counts: {} };

class RecordingLearner implements ContentLearner {
  readonly calls: { kind: string; bytes: number }[] = [];
  failAfter = Infinity;
  async learn(kind: 'ham' | 'spam', raw: Uint8Array): Promise<string> {
    if (this.calls.length >= this.failAfter) throw new Error('Rspamd cannot be asked (ECONNREFUSED)');
    this.calls.push({ kind, bytes: raw.byteLength });
    return '{"success":true}';
  }
}

describe.each(backends)('evidence vault on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let learner: RecordingLearner;
  let robId: string;
  let n = 0;

  const candidate = (over: Partial<EvidenceCandidate> = {}): EvidenceCandidate => {
    n++;
    return {
      id: `m-${String(n).padStart(3, '0')}`,
      userId: robId,
      evidence: 'spam',
      reason: 'Message refused as spam by rspamd (reject, score 1000).',
      subject: `Invoice ${n} <b>overdue</b>`,
      recipients: ['a@fabrikam.com', 'b@fabrikam.com', 'c@fabrikam.com', 'd@fabrikam.com', 'e@fabrikam.com', 'f@x.org'],
      spamScore: 2,
      spamBy: ['rspamd'],
      scanner: { name: 'rspamd', action: 'reject', score: 1000, symbols: ['GTUBE'] },
      raw: Buffer.from(`Subject: Invoice ${n}\r\n\r\nPay now ${n}\r\n`),
      ...over,
    };
  };

  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    learner = new RecordingLearner();
    s = coreServices(t, undefined, { learner });
    s.clock.set('2026-12-01T10:00:00Z');
    robId = (await s.directory.addUser(GLOBAL_ADMIN, { email: ROB, displayName: 'Rob Young' })).id;
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('keeps only evidence, at most 20 per restriction (the newest), names 5 recipients and counts all', async () => {
    expect(await s.evidence.keep(candidate({ evidence: undefined }))).toBe(false);
    for (let i = 0; i < 25; i++) {
      s.clock.advance(1000);
      expect(await s.evidence.keep(candidate())).toBe(true);
    }
    expect(await s.evidence.keep(candidate({ evidence: 'send-as', reason: 'Send As refused' }))).toBe(true);
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    const list = await s.evidence.list(SECURITY_ADMIN, ROB);
    expect(list.items).toHaveLength(EVIDENCE_PER_RESTRICTION);
    expect(list.items[0]).toMatchObject({ kind: 'send-as', reason: 'Send As refused' });
    // The newest 20 of the 26 kept: m-002 (the one that was not evidence was never kept) to m-007 went.
    expect(list.items.at(-1)!.id).toBe('m-008');
    expect(list.items[1]).toMatchObject({
      subject: 'Invoice 26 <b>overdue</b>',
      recipients: ['a@fabrikam.com', 'b@fabrikam.com', 'c@fabrikam.com', 'd@fabrikam.com', 'e@fabrikam.com'],
      recipientCount: 6,
      scanner: { name: 'rspamd', action: 'reject', score: 1000, symbols: ['GTUBE'] },
      truncated: false,
    });
  });

  it('keeps the first 1 MB of a larger message and says it is cut', async () => {
    const big = Buffer.alloc(EVIDENCE_MAX_BYTES + 5000, 'x');
    await s.evidence.keep(candidate({ raw: big, id: 'big' }));
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    const kept = await s.evidence.open(GLOBAL_ADMIN, ROB, 'big');
    expect(kept.raw.byteLength).toBe(EVIDENCE_MAX_BYTES);
    expect(kept.record).toMatchObject({ truncated: true, size: EVIDENCE_MAX_BYTES + 5000 });
  });

  it('helpdesk and security reader are FORBIDDEN, and each refusal is audited once; a view is audited', async () => {
    await s.evidence.keep(candidate({ id: 'm-x' }));
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    for (const p of [HELPDESK, READER]) {
      await expect(s.evidence.list(p, ROB)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        details: { permission: 'restricted.unblock', audited: true },
      });
      await expect(s.evidence.open(p, ROB, 'm-x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    const opened = await s.evidence.open(SECURITY_ADMIN, ROB, 'm-x');
    expect(Buffer.from(opened.raw).toString()).toContain('Pay now');
    await expect(s.evidence.open(SECURITY_ADMIN, ROB, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const entries = (await s.audit.list(GLOBAL_ADMIN, { limit: 50 })).items;
    const denied = entries.filter((e) => e.action === 'access.denied');
    expect(denied).toHaveLength(4);
    expect(denied.map((e) => e.actor.label).sort()).toEqual(
      [READER.actor.label, READER.actor.label, HELPDESK.actor.label, HELPDESK.actor.label].sort(),
    );
    const viewed = entries.filter((e) => e.action === 'evidence.viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]).toMatchObject({ target: `user:${ROB}`, after: { messageId: 'm-x' } });
  });

  it("a restriction's evidence is what was kept since the previous one ended", async () => {
    await s.evidence.keep(candidate({ id: 'first' }));
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    s.clock.advance(60_000);
    await s.restrictions.unblock(GLOBAL_ADMIN, ROB, { confirm: true });
    s.clock.advance(60_000);
    await s.evidence.keep(candidate({ id: 'second' }));
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    expect((await s.evidence.list(GLOBAL_ADMIN, ROB)).items.map((i) => i.id)).toEqual(['second']);
  });

  it('false positive teaches ham, confirmed hijack spam; a failing learner leaves the unblock standing', async () => {
    for (let i = 0; i < 3; i++) await s.evidence.keep(candidate());
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    const done = await s.evidence.unblock(SECURITY_ADMIN, ROB, { confirm: true, verdict: 'false-positive' });
    expect(done.learning).toMatchObject({ state: 'learned', kind: 'ham', messages: 3, learned: 3 });
    expect(learner.calls.map((c) => c.kind)).toEqual(['ham', 'ham', 'ham']);
    expect(await s.restrictions.activeRestriction(robId)).toBeUndefined();

    s.clock.advance(60_000);
    for (let i = 0; i < 2; i++) await s.evidence.keep(candidate());
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    learner.failAfter = learner.calls.length + 1;
    const failed = await s.evidence.unblock(SECURITY_ADMIN, ROB, { confirm: true, verdict: 'confirmed-hijack' });
    expect(failed.learning).toMatchObject({ state: 'failed', kind: 'spam', messages: 2, learned: 1 });
    expect(failed.learning.detail).toContain('ECONNREFUSED');
    expect(await s.restrictions.activeRestriction(robId)).toBeUndefined();
    const entries = (await s.audit.list(GLOBAL_ADMIN, { limit: 50 })).items;
    const learned = entries.filter((e) => e.action === 'evidence.learned').map((e) => e.after);
    expect(learned).toEqual([
      expect.objectContaining({ verdict: 'confirmed-hijack', state: 'failed' }),
      expect.objectContaining({ verdict: 'false-positive', state: 'learned', learned: 3 }),
    ]);
    const unblocked = entries.filter((e) => e.action === 'restriction.unblocked');
    expect(unblocked[0]!.after).toMatchObject({ verdict: 'confirmed-hijack' });
    // Helpdesk may not unblock, so it cannot teach Rspamd either.
    await expect(s.evidence.unblock(HELPDESK, ROB, { confirm: true, verdict: 'false-positive' })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    );
  });

  it('without a verdict nothing is learned; kept messages go with the message-log retention', async () => {
    await s.evidence.keep(candidate({ id: 'old' }));
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence: spamEvidence });
    const done = await s.evidence.unblock(GLOBAL_ADMIN, ROB, { confirm: true });
    expect(done.learning.state).toBe('none');
    expect(learner.calls).toHaveLength(0);
    expect(await s.evidence.prune(new Date('2026-12-01T10:00:01Z'))).toBe(1);
    expect((await s.evidence.list(GLOBAL_ADMIN, ROB)).items).toHaveLength(0);
  });
});

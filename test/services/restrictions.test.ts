import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/core/errors.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, principal } from '../support/core-services.js';

// Fakes: FakeClock only. Store and counters are real.

const evidence = {
  rule: 'external-per-hour',
  summary: '6 external recipients in the last hour; limit 5',
  counts: { externalPerHour: 6 },
  limit: 5,
};

describe.each(backends)('restriction life cycle on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let robId: string;
  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
    robId = (await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob Young' })).id;
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('restrict until tomorrow is released at the next UTC midnight, audited', async () => {
    s.clock.set('2026-11-22T23:59:00Z');
    const r = await s.restrictions.restrictUser({ userId: robId, kind: 'until-tomorrow', evidence });
    expect(r.releaseAt?.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect((await s.restrictions.listRestricted(GLOBAL_ADMIN, 'rob')).map((x) => x.user.email)).toEqual([
      'rob@contoso.com',
    ]);
    s.clock.set('2026-11-23T00:00:00Z');
    expect(await s.restrictions.activeRestriction(robId)).toBeUndefined();
    expect(await s.restrictions.listRestricted(GLOBAL_ADMIN)).toHaveLength(0);
    const actions = (await s.audit.list(GLOBAL_ADMIN, {})).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['restriction.created', 'restriction.released']));
    expect(s.notified.map((a) => a.type)).toContain('restriction-released');
  });

  it('unblock needs confirmation, the permission, records the steps, and works at once', async () => {
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence });
    try {
      await s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: false });
      expect.unreachable();
    } catch (err) {
      expect(isDomainError(err, 'CONFIRMATION_REQUIRED')).toBe(true);
      expect((err as Error).message).toContain('"confirm": true');
    }
    await expect(
      s.restrictions.unblock(principal(['helpdesk']), 'rob@contoso.com', { confirm: true }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const released = await s.restrictions
      .unblock(principal(['security-admin']), 'rob', { confirm: true, stepsDone: ['reset-password', 'bogus'] })
      .catch((e: unknown) => e);
    expect(released).toMatchObject({ code: 'USER_NOT_FOUND' }); // "rob" is a search text, not an id
    const r = await s.restrictions.unblock(principal(['security-admin']), 'rob@contoso.com', {
      confirm: true,
      stepsDone: ['reset-password', 'bogus'],
    });
    expect(r.stepsDone).toEqual(['reset-password']);
    expect(await s.restrictions.activeRestriction(robId)).toBeUndefined();
    await expect(s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true })).rejects.toMatchObject({
      code: 'NOT_RESTRICTED',
    });
  });

  it('the unblock step "require two-step sign-in" makes the next portal sign-in enrol TOTP, no postponing', async () => {
    await s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com', {
      password: 'lantern orbit cactus meadow',
      mustChangePassword: false,
    });
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence });
    await s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true, stepsDone: ['require-totp'] });
    const signedIn = await s.sessions.signIn({
      email: 'rob@contoso.com',
      password: 'lantern orbit cactus meadow',
      address: null,
      userAgent: null,
    });
    expect(signedIn.session.mfaDone).toBe(false);
    await expect(s.sessions.postponeEnrolment(signedIn, null)).rejects.toMatchObject({ code: 'TOTP_REQUIRED' });
  });

  it('without that step a mail user signs in with the password alone', async () => {
    await s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com', {
      password: 'lantern orbit cactus meadow',
      mustChangePassword: false,
    });
    const signedIn = await s.sessions.signIn({
      email: 'rob@contoso.com',
      password: 'lantern orbit cactus meadow',
      address: null,
      userAgent: null,
    });
    expect(signedIn.session.mfaDone).toBe(true);
  });

  it('the unblock cap (3 per 30 days) is enforced and says so', async () => {
    for (let i = 0; i < 3; i++) {
      await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence });
      await s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true });
      s.clock.advance(3_600_000);
    }
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence });
    const detail = await s.restrictions.getRestricted(GLOBAL_ADMIN, 'rob@contoso.com');
    expect(detail.unblocksLeft).toBe(0);
    await expect(s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true })).rejects.toMatchObject({
      code: 'UNBLOCK_LIMIT_REACHED',
    });
    s.clock.advance(31 * 86_400_000);
    await s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true });
  });

  it('secure account resets, revokes, optionally blocks and unblocks, as one audited event', async () => {
    await s.restrictions.restrictUser({ userId: robId, kind: 'until-unblocked', evidence });
    await s.appPasswords.create(robId, 'Phone');
    const report = await s.secureAccount.run(GLOBAL_ADMIN, 'rob@contoso.com', { blockSignIn: true, unblock: true });
    expect(report).toMatchObject({ appPasswordsRevoked: 1, signInBlocked: true, unblocked: true });
    expect(report.temporaryPassword).toMatch(/^\w{5}-\w{5}-\w{5}-\w{5}$/);
    const unblock = (await t.store.stores.restrictions.listByUser(robId))[0]!;
    expect(unblock.stepsDone).toEqual(['reset-password', 'revoke-sessions', 'revoke-app-passwords']);
    const actions = (await s.audit.list(GLOBAL_ADMIN, {})).items.map((e) => e.action);
    expect(actions.filter((a) => a === 'user.account-secured')).toHaveLength(1);
  });

  it('a changed policy is audited with before and after, and bad values are refused', async () => {
    await expect(s.policyAdmin.update(GLOBAL_ADMIN, { limits: { externalPerHour: -1 } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      s.policyAdmin.update(principal(['security-reader']), { limits: { externalPerHour: 5 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const p = await s.policyAdmin.update(principal(['security-admin']), {
      limits: { externalPerHour: 5 },
      action: 'restrict',
    });
    expect(p.limits.externalPerHour).toBe(5);
    expect(p.limits.perDay).toBe(2000);
    const entry = (await s.audit.list(GLOBAL_ADMIN, { action: 'policy.updated' })).items[0]!;
    expect((entry.before as { limits: { externalPerHour: number } }).limits.externalPerHour).toBe(500);
    expect((entry.after as { limits: { externalPerHour: number } }).limits.externalPerHour).toBe(5);
  });
});

/**
 * A restriction raised by the gateway (Submission) and its alerts are one transaction (issue 9
 * item 3): they commit together, and when the alerts cannot be written the restriction is not
 * left behind without them. Real store on both backends; fake clock only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/core/directory/user.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';

describe.each(backends)('restriction and its alerts on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let rob: User;

  /** One message from rob to n external recipients, one RCPT TO at a time, as the gateway asks. */
  const sendExternal = async (n: number) => {
    const accepted: string[] = [];
    const kinds: string[] = [];
    for (let i = 1; i <= n; i++) {
      const to = `client${i}@fabrikam.com`;
      const d = await s.submission.checkRecipient(
        { user: rob, clientAddress: '198.51.100.7', mailFrom: rob.email, accepted },
        to,
      );
      if (d.kind === 'accept') accepted.push(to);
      kinds.push(d.kind);
    }
    return kinds;
  };

  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
    s.clock.set('2026-11-23T09:00:00Z');
    rob = await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob', groups: ['Sales'] });
    await s.policyAdmin.createCustom(GLOBAL_ADMIN, {
      name: 'Sales',
      priority: 10,
      scope: { groups: ['Sales'] },
      limits: { externalPerHour: 2 },
      action: 'restrict',
    });
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('the restriction commits with its user-restricted and limit alerts, each queued for email', async () => {
    expect(await sendExternal(3)).toEqual(['accept', 'accept', 'restrict']);
    const [restricted] = await s.restrictions.listRestricted(GLOBAL_ADMIN, 'rob');
    expect(restricted?.restriction.evidence.rule).toBe('external-per-hour');
    const alerts = (await s.alerts.list(GLOBAL_ADMIN, {})).items;
    expect(
      alerts
        .map((a) => ({
          type: a.type,
          user: a.userEmail,
          restrictionId: a.details['restrictionId'],
          deliveries: a.deliveries,
        }))
        .sort((a, b) => a.type.localeCompare(b.type)),
    ).toEqual(
      ['sending-limit-exceeded', 'user-restricted'].map((type) => ({
        type,
        user: 'rob@contoso.com',
        restrictionId: restricted?.restriction.id,
        deliveries: [{ channel: 'email', status: 'pending', attempts: 0, lastError: null, sentAt: null }],
      })),
    );
    // More mail from the restricted sender raises no second alert.
    expect(await sendExternal(1)).toEqual(['reject']);
    expect((await s.alerts.list(GLOBAL_ADMIN, { type: 'user-restricted' })).items).toHaveLength(1);
  });

  it('an alert that cannot be written rolls the restriction back: no restriction without its alert', async () => {
    expect(await sendExternal(2)).toEqual(['accept', 'accept']);
    await t.rawQuery('drop table alert_deliveries');
    await expect(sendExternal(1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await s.restrictions.listRestricted(GLOBAL_ADMIN)).toEqual([]);
    expect(await s.restrictions.activeRestriction(rob.id)).toBeUndefined();
    expect((await s.alerts.list(GLOBAL_ADMIN, {})).items).toEqual([]);
  });
});

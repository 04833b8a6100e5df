/**
 * The alert outbox on both backends: an unblock writes its alert and one delivery per channel in
 * the unblock's own transaction; the dispatcher sends it once, retries with back-off, and marks it
 * failed with the reason after its retries; two dispatchers on two connections never send a row twice.
 * Real: the store, the capture outbox (as the mailer's relay), the webhook POSTing to a closed
 * port on 127.0.0.1. Fake: the clock (back-off waits of hours are skipped, not slept).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertSender } from '../../src/adapters/notify/alert-sender.js';
import { RelayMailer } from '../../src/adapters/notify/relay-mailer.js';
import { SignedWebhook } from '../../src/adapters/notify/signed-webhook.js';
import { CaptureOutbox } from '../../src/adapters/relay/capture-outbox.js';
import { openStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { AlertDispatcher } from '../../src/core/alerts/alert-dispatcher.js';
import type { AlertDelivery } from '../../src/core/alerts/alert-delivery.js';
import { backends, sha256, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, testComposer } from '../support/core-services.js';
import { getFreePort } from '../support/ports.js';

const evidence = { rule: 'external-per-hour', summary: '6 external recipients in the last hour; limit 5', counts: {} };

describe.each(backends)('alert outbox on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let dir: string;
  let outbox: CaptureOutbox;
  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
    dir = await mkdtemp(path.join(os.tmpdir(), 'sw-alert-outbox-'));
    outbox = new CaptureOutbox(dir, s.clock);
    await s.directory.addUser(GLOBAL_ADMIN, { email: 'ann@contoso.com', displayName: 'Ann', roles: ['global-admin'] });
    const rob = await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob' });
    await s.restrictions.restrictUser({ userId: rob.id, kind: 'until-unblocked', evidence });
  });
  afterEach(async () => {
    await t?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const emailDispatcher = (store = t.store, onFailed?: (d: AlertDelivery) => void) =>
    new AlertDispatcher({
      uow: store.uow,
      clock: s.clock,
      send: alertSender({
        mailer: new RelayMailer(outbox, 'sendwarden@localhost.localdomain'),
        webhook: null,
        users: store.stores.users,
        alertEmails: undefined,
        composer: testComposer,
      }),
      onFailed,
    });

  const unblockAlert = async () => {
    const page = await s.alerts.list(GLOBAL_ADMIN, { type: 'user-unblocked' });
    expect(page.items).toHaveLength(1);
    return page.items[0]!;
  };

  it('an unblock queues its alert email with the unblock; the server sends it once and shows it sent', async () => {
    await s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true });
    expect((await unblockAlert()).deliveries).toEqual([
      { channel: 'email', status: 'pending', attempts: 0, lastError: null, sentAt: null },
    ]);
    const dispatcher = emailDispatcher();
    expect(await dispatcher.deliverDue()).toBeGreaterThanOrEqual(1);
    expect(await dispatcher.deliverDue()).toBe(0);
    const mails = (await outbox.list()).filter((m) => m.subject?.includes('Restricted user unblocked'));
    expect(mails.map((m) => m.to)).toEqual([['ann@contoso.com']]);
    expect((await unblockAlert()).deliveries).toMatchObject([{ channel: 'email', status: 'sent', attempts: 1 }]);
  });

  it('an alert that cannot be written rolls the unblock back: no unblock without its alert', async () => {
    await t.rawQuery('drop table alert_deliveries');
    await expect(s.restrictions.unblock(GLOBAL_ADMIN, 'rob@contoso.com', { confirm: true })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect((await s.restrictions.listRestricted(GLOBAL_ADMIN, 'rob')).map((r) => r.user.email)).toEqual([
      'rob@contoso.com',
    ]);
  });

  it('a webhook that never answers is retried with back-off, then marked failed with the reason', async () => {
    const closedPort = await getFreePort();
    const failed: AlertDelivery[] = [];
    const dispatcher = new AlertDispatcher({
      uow: t.store.uow,
      clock: s.clock,
      send: alertSender({
        mailer: new RelayMailer(outbox, 'sendwarden@localhost.localdomain'),
        webhook: new SignedWebhook(`http://127.0.0.1:${closedPort}/hook`, 'a-webhook-secret-of-16+'),
        users: t.store.stores.users,
        alertEmails: undefined,
        composer: testComposer,
      }),
      backoffMs: [60_000, 600_000],
      onFailed: (d) => failed.push(d),
    });
    const alert = await s.alerts.raise({ type: 'user-unblocked', userId: null, userEmail: null, summary: 'x' });
    await t.store.stores.alertDeliveries.insertMany([
      {
        id: 'hook-1',
        alertId: alert.id,
        channel: 'webhook',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: s.clock.now(),
        claimedUntil: null,
        lastError: null,
        createdAt: s.clock.now(),
        sentAt: null,
      },
    ]);
    const hook = async () =>
      (await t.store.stores.alertDeliveries.listForAlerts([alert.id])).find((d) => d.channel === 'webhook')!;
    await dispatcher.deliverDue();
    expect(await hook()).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await hook()).lastError).toContain('ECONNREFUSED');
    expect(await dispatcher.deliverDue()).toBe(0); // not due before its back-off
    s.clock.advance(60_000);
    await dispatcher.deliverDue();
    expect(await hook()).toMatchObject({ status: 'pending', attempts: 2 });
    s.clock.advance(600_000);
    await dispatcher.deliverDue();
    expect(await hook()).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.map((d) => d.id)).toEqual(['hook-1']);
    s.clock.advance(86_400_000);
    expect(await dispatcher.deliverDue()).toBe(0);
  });

  // SQLite is one node's store (one writer); several nodes share PostgreSQL.
  it.runIf(backend.name === 'postgres')(
    'two dispatchers on two connections claim disjoint rows: 30 alerts, 30 emails',
    async () => {
      const second: KyselyStore = await openStore(
        backend.name === 'postgres' ? { kind: 'postgres', url: t.location } : { kind: 'sqlite', file: t.location },
        sha256,
      );
      try {
        for (let i = 0; i < 30; i++)
          await s.alerts.raise({
            type: 'account-locked',
            userId: null,
            userEmail: `u${i}@contoso.com`,
            summary: `${i}`,
          });
        const a = emailDispatcher(t.store);
        const b = emailDispatcher(second);
        const rounds = async (d: AlertDispatcher) => {
          let n = 0;
          for (let r = 0; r < 5; r++) n += await d.deliverDue();
          return n;
        };
        const [na, nb] = await Promise.all([rounds(a), rounds(b)]);
        expect(na + nb).toBe(30);
        const locked = (await outbox.list()).filter((m) => m.subject?.includes('Account locked out'));
        expect(locked).toHaveLength(30);
        expect(new Set(locked.map((m) => m.subject)).size).toBe(30);
      } finally {
        await second.close();
      }
    },
  );
});

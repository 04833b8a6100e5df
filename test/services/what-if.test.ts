import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/core/directory/user.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';

// Fakes: FakeClock only (test/support/fake-clock.ts). The store (and its replay source) is real.
// If these fail, a what-if answers a bad proposal differently from saving it, looks past the log's
// retention, or presents a cut list of users as if it were everyone.

const HOUR = 3_600_000;

function record(user: Pick<User, 'id' | 'email'>, at: Date, external: number, n: number): MessageRecord {
  return {
    id: `m-${user.id}-${n}`,
    at,
    userId: user.id,
    sender: user.email,
    recipientsInternal: 0,
    recipientsExternal: external,
    recipientsRefused: 0,
    refusedInternal: 0,
    refusedExternal: 0,
    size: 100,
    subject: 'Hi',
    spamScore: 1,
    isSpam: false,
    outcome: 'relayed',
    reasonCode: null,
    reason: null,
    nextHopReply: '250 OK',
    clientAddress: '198.51.100.7',
  };
}

describe.each(backends)('what-if on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;

  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('refuses a proposal with exactly the error saving it gives, and stores nothing', async () => {
    const bad = { limits: { externalPerHour: 200_000 } };
    const saving = await s.policyAdmin.update(GLOBAL_ADMIN, bad).catch((e: unknown) => e);
    const previewing = await s.whatIf.previewDefault(GLOBAL_ADMIN, bad).catch((e: unknown) => e);
    expect(previewing).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'externalPerHour must be a whole number from 0 to 100000.',
    });
    expect(previewing).toEqual(saving);
    const missing = await s.whatIf.previewCustom(GLOBAL_ADMIN, 'Nope', {}).catch((e: unknown) => e);
    expect(missing).toEqual(await s.policyAdmin.updateCustom(GLOBAL_ADMIN, 'Nope', {}).catch((e: unknown) => e));
  });

  it('refuses a range beyond the retention and answers an empty log as empty', async () => {
    await expect(s.whatIf.previewDefault(GLOBAL_ADMIN, {}, { days: 31 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'days must be a whole number from 1 to 30 days (the message log keeps 30 days).',
    });
    const empty = await s.whatIf.previewDefault(GLOBAL_ADMIN, { limits: { externalPerHour: 1 } });
    expect(empty).toMatchObject({
      isEmpty: true,
      rowsReplayed: 0,
      usersAffected: 0,
      users: [],
      isTruncated: false,
      days: 7,
    });
    const audit = await s.audit.list(GLOBAL_ADMIN, { action: 'policy.what-if' });
    expect(audit.items).toHaveLength(1);
    expect((await s.policyAdmin.get(GLOBAL_ADMIN)).limits.externalPerHour).toBe(500);
  });

  it('names a user deleted since by the sender address, matched by the policy for their domain', async () => {
    const gone = await s.directory.addUser(GLOBAL_ADMIN, { email: 'gone@contoso.com', displayName: 'Gone' });
    const now = s.clock.now();
    await t.store.stores.messages.insertMany([record(gone, new Date(now.getTime() - HOUR), 3, 1)]);
    await s.directory.deleteUser(GLOBAL_ADMIN, gone.email);
    await s.policyAdmin.createCustom(GLOBAL_ADMIN, {
      name: 'Contoso',
      priority: 1,
      scope: { domains: ['contoso.com'] },
      limits: { externalPerHour: 2 },
    });
    const r = await s.whatIf.previewDefault(GLOBAL_ADMIN, { limits: { externalPerHour: 100 } }, { days: 1 });
    expect(r.caveats.deletedUsers).toBe(1);
    expect(r.users).toMatchObject([
      { email: 'gone@contoso.com', isDeleted: true, policyName: 'Contoso', change: 'new', recipientsRefused: 1 },
    ]);
  });

  it('100,000 users: the totals count everyone, the list says it is cut', { timeout: 240_000 }, async () => {
    const now = s.clock.now().getTime();
    const rows = Array.from({ length: 100_000 }, (_, i) =>
      record({ id: `user-${String(i).padStart(6, '0')}`, email: `u${i}@contoso.com` }, new Date(now - HOUR - i), 2, i),
    );
    await t.store.stores.messages.insertMany(rows);
    const r = await s.whatIf.previewDefault(
      GLOBAL_ADMIN,
      { limits: { externalPerHour: 1 } },
      { days: 1, maxUsers: 50 },
    );
    expect(r.rowsReplayed).toBe(100_000);
    expect(r.usersSeen).toBe(100_000);
    expect(r.totals.restricted).toBe(100_000);
    expect(r.totals.recipientsRefused).toBe(100_000);
    expect(r.usersAffected).toBe(100_000);
    expect(r.users).toHaveLength(50);
    expect(r.isTruncated).toBe(true);
    // Earliest first: the rows were written one millisecond apart, newest for user 0.
    expect(r.users[0]?.userId).toBe('user-099999');
    expect(r.caveats.deletedUsers).toBe(100_000);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureOutbox } from '../../src/adapters/relay/capture-outbox.js';
import { isDomainError } from '../../src/core/errors.js';
import { MessageReader } from '../../src/core/messages/message-reader.js';
import { ROLES, type Role } from '../../src/core/roles/roles.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import { makeTempDir, withSqliteStore, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, principal } from '../support/core-services.js';

// Fakes: FakeClock only. The SQLite store and the capture outbox (files in a temp dir) are real.

/** Who the role table lets read each source; written out here so a change to the table shows. */
const MAY_READ_LOG: readonly Role[] = ['global-admin', 'security-admin', 'security-reader'];
const MAY_READ_OUTBOX: readonly Role[] = ['global-admin', 'security-admin'];

async function forbidden(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return false;
  } catch (err) {
    if (isDomainError(err, 'FORBIDDEN')) return true;
    throw err;
  }
}

describe('MessageReader: who may read the message log and the capture outbox', () => {
  let t: TestStore;
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let reader: MessageReader;
  let robId: string;
  let capturedId: string;
  let outbox: CaptureOutbox;
  let clock: ReturnType<typeof coreServices>['clock'];
  const since = new Date('2026-11-22T00:00:00Z');

  beforeEach(async () => {
    t = await withSqliteStore();
    tmp = await makeTempDir();
    const s = coreServices(t);
    robId = (await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob Young' })).id;
    const record: MessageRecord = {
      id: 'm1',
      at: s.clock.now(),
      userId: robId,
      sender: 'rob@contoso.com',
      recipientsInternal: 0,
      recipientsExternal: 1,
      recipientsRefused: 0,
      size: 120,
      subject: 'Quarterly report',
      spamScore: 0,
      isSpam: false,
      outcome: 'captured',
      reasonCode: null,
      reason: null,
      nextHopReply: null,
      clientAddress: '127.0.0.1',
    };
    await t.store.stores.messages.insertMany([record]);
    clock = s.clock;
    outbox = new CaptureOutbox(tmp.dir, s.clock);
    await outbox.send({ from: 'rob@contoso.com', to: ['ann@fabrikam.com'] }, Buffer.from('Subject: hi\r\n\r\nhi\r\n'), {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      subject: 'hi',
    });
    capturedId = (await outbox.list())[0]!.id;
    reader = new MessageReader({ messages: t.store.stores.messages, outbox, uow: t.store.uow, clock: s.clock });
  });
  afterEach(async () => {
    await t?.cleanup();
    await tmp?.remove();
  });

  it('every role against every read: listings refuse, evidence and the Home chart stay empty', async () => {
    // If this failed, a helpdesk or user admin would see what users sent, or a security reader would lose the log.
    for (const role of [...ROLES, null]) {
      const p = principal(role ? [role] : []);
      const log = role !== null && MAY_READ_LOG.includes(role);
      const box = role !== null && MAY_READ_OUTBOX.includes(role);
      expect(await forbidden(reader.listForUser(p, robId, { limit: 50 })), `${role} list`).toBe(!log);
      expect((await reader.recentEvidence(p, robId, 20)).length, `${role} evidence`).toBe(log ? 1 : 0);
      expect((await reader.hourlyCounts(p, since)).length, `${role} hourly`).toBe(log ? 1 : 0);
      expect((await reader.topSenders(p, since, 10)).length, `${role} top`).toBe(log ? 1 : 0);
      expect(await forbidden(reader.listOutbox(p)), `${role} outbox list`).toBe(!box);
      expect(await forbidden(reader.readOutbox(p, capturedId)), `${role} outbox read`).toBe(!box);
    }
  });

  it('reads the outbox newest first, and names an unknown id in NOT_FOUND', async () => {
    clock.advance(60_000);
    await outbox.send({ from: 'rob@contoso.com', to: ['ann@fabrikam.com'] }, Buffer.from('Subject: later\r\n\r\n'), {
      id: 'c0ffee00-0000-4000-8000-000000000002',
      subject: 'later',
    });
    expect((await reader.listOutbox(GLOBAL_ADMIN)).map((e) => e.subject)).toEqual(['later', 'hi']);
    const { entry, raw } = await reader.readOutbox(GLOBAL_ADMIN, capturedId);
    expect(entry.subject).toBe('hi');
    expect(raw.toString('utf8')).toContain('Subject: hi');
    await expect(reader.readOutbox(GLOBAL_ADMIN, 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'There is no captured message "nope".',
    });
    const none = new MessageReader({ messages: t.store.stores.messages, uow: t.store.uow, clock });
    expect(await none.listOutbox(GLOBAL_ADMIN)).toEqual([]);
    await expect(none.readOutbox(GLOBAL_ADMIN, capturedId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/**
 * Store conformance suite: the same tests on SQLite and PostgreSQL (Kysely's way of looping
 * over dialects). Every test gets its own database and removes it, even on failure.
 *
 * Fakes: none. Times are fixed Dates passed in, as the Clock port would; no store is mocked.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alerts/alert.js';
import type { AuditEntry } from '../../src/core/audit/audit-event.js';
import { verifyChain } from '../../src/core/audit/chain.js';
import type { ApiToken, ResetCode, Session } from '../../src/core/auth/credentials.js';
import { EMPTY_LOCKOUT, type User } from '../../src/core/directory/user.js';
import { DomainError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, defaultPolicy } from '../../src/core/policy/outbound-policy.js';
import type { Restriction } from '../../src/core/restrictions/restriction.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import type { EvidenceRecord } from '../../src/core/evidence/evidence.js';
import { openStore, type StoreOptions } from '../../src/adapters/store/kysely-store.js';
import { LATEST_SCHEMA_VERSION } from '../../src/adapters/store/migrations/index.js';
import type { Stores } from '../../src/ports/stores.js';
import { makeUser } from '../support/builders.js';
import { backends, makeTempDir, sha256, type Backend, type TestStore } from '../support/db.js';

const T0 = new Date('2025-03-10T09:15:30.123Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function user(email: string, over: Partial<User> = {}): User {
  return makeUser(email, { createdAt: T0, ...over });
}

function restriction(id: string, userId: string, over: Partial<Restriction> = {}): Restriction {
  return {
    id,
    userId,
    kind: 'until-unblocked',
    evidence: {
      rule: 'external-per-hour',
      summary: '6 external recipients in the last hour; limit 5',
      counts: { hour: 6 },
      limit: 5,
    },
    restrictedAt: T0,
    releaseAt: null,
    releasedAt: null,
    releasedBy: null,
    releaseKind: null,
    stepsDone: [],
    ...over,
  };
}

function message(id: string, over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    at: T0,
    userId: 'u-rob@contoso.com',
    sender: 'rob@contoso.com',
    recipientsInternal: 1,
    recipientsExternal: 2,
    recipientsRefused: 0,
    size: 1234,
    subject: 'Quarterly report',
    spamScore: 1.5,
    isSpam: false,
    outcome: 'relayed',
    reasonCode: null,
    reason: null,
    nextHopReply: '250 2.0.0 Ok',
    clientAddress: '192.0.2.10',
    scanner: null,
    spamBy: [],
    ...over,
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function optionsFor(b: Backend, t: TestStore): StoreOptions {
  return b.name === 'sqlite' ? { kind: 'sqlite', file: t.location } : { kind: 'postgres', url: t.location };
}

async function expectCode(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected DomainError ${code}`).toBeInstanceOf(DomainError);
  const d = err as DomainError;
  expect(d.code).toBe(code);
  if (message !== undefined) expect(d.message).toMatch(message);
  return d;
}

describe.each(backends)('store conformance on $name', (backend) => {
  describe.skipIf(backend.skip)(backend.name, () => {
    let t: TestStore;
    let s: Stores;

    beforeEach(async () => {
      t = await backend.open();
      s = t.store.stores;
    });
    afterEach(async () => {
      await t?.cleanup();
    });

    it('stores a user and reads back every field, by id and by any address', async () => {
      const rob = user('rob@contoso.com', {
        displayName: 'Rob Young',
        aliases: ['robert@contoso.com', 'ry@contoso.com'],
        groups: ['sales'],
        roles: ['helpdesk'],
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
        passwordHistory: ['$argon2id$old'],
        mustChangePassword: true,
        lockout: {
          familiar: { failures: 2, lockedUntil: at(5), lockouts: 1 },
          unfamiliar: { failures: 0, lockedUntil: null, lockouts: 0 },
          recentWrongFingerprints: ['f1'],
          familiarLocations: ['192.0.2.0/24'],
        },
        alternateEmail: 'rob@example.net',
        totpSecret: 'JBSWY3DPEHPK3PXP',
        totpDeadline: at(60 * 24),
        lastSignInAt: at(1),
        securityEpoch: 3,
      });
      await s.users.insert(rob);
      expect(await s.users.findById(rob.id)).toEqual(rob);
      expect(await s.users.findByAddress('RY@Contoso.com')).toEqual(rob);
      expect(await s.users.findByAddress('nobody@contoso.com')).toBeUndefined();
      expect(await s.users.count()).toBe(1);

      const changed = { ...rob, displayName: 'Robert Young', aliases: ['bob@contoso.com'], signInBlocked: true };
      await s.users.update(changed);
      expect(await s.users.findById(rob.id)).toEqual(changed);
      expect(await s.users.findByAddress('ry@contoso.com')).toBeUndefined();
      expect(
        [...(await s.users.takenAddresses(['bob@contoso.com', 'ry@contoso.com', 'rob@contoso.com']))].sort(),
      ).toEqual(['bob@contoso.com', 'rob@contoso.com']);

      await expectCode(s.users.update(user('gone@contoso.com')), 'USER_NOT_FOUND');
    });

    it('deleting a user removes their addresses, app passwords, sessions and reset codes', async () => {
      const rob = user('rob@contoso.com', { aliases: ['robert@contoso.com'] });
      await s.users.insert(rob);
      await s.appPasswords.insert({
        id: 'ap1',
        userId: rob.id,
        name: 'Outlook',
        hash: 'h',
        createdAt: T0,
        lastUsedAt: null,
      });
      await s.sessions.insert(session('s1', rob.id));
      await s.resetCodes.insert(resetCode('r1', rob.id, T0));
      await s.users.delete(rob.id);
      expect(await s.users.findById(rob.id)).toBeUndefined();
      expect(await s.appPasswords.listByUser(rob.id)).toEqual([]);
      expect(await s.sessions.findById('s1')).toBeUndefined();
      expect(await s.resetCodes.findLatestUnused(rob.id)).toBeUndefined();
      // The addresses are free again for a new user.
      await s.users.insert(user('robert@contoso.com'));
      expect(await s.users.count()).toBe(1);
    });

    it('an address is unique across emails and aliases of all users (USER_EXISTS names it)', async () => {
      await s.users.insert(user('rob@contoso.com', { aliases: ['sales@contoso.com'] }));
      await expectCode(
        s.users.insert(user('sales@contoso.com')),
        'USER_EXISTS',
        'The address sales@contoso.com is already used by another user.',
      );
      await expectCode(
        s.users.insert(user('megan@contoso.com', { aliases: ['rob@contoso.com'] })),
        'USER_EXISTS',
        /rob@contoso\.com/,
      );
      await s.users.insert(user('megan@contoso.com'));
      await expectCode(
        s.users.update(user('megan@contoso.com', { aliases: ['sales@contoso.com'] })),
        'USER_EXISTS',
        /sales@contoso\.com/,
      );
      await expectCode(
        s.users.insertMany([user('a@contoso.com'), user('b@contoso.com', { aliases: ['a@contoso.com'] })]),
        'USER_EXISTS',
        /a@contoso\.com/,
      );
      // All or nothing: nothing of the failed batch was written.
      expect(await s.users.count()).toBe(2);
      expect((await s.users.findByAddress('megan@contoso.com'))?.aliases).toEqual([]);
    });

    it('parallel sign-ups for the same address: exactly one wins, the others get USER_EXISTS', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          s.users.insert(user(`user${i}@contoso.com`, { aliases: ['shared@contoso.com'] })),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        expect(r.reason).toBeInstanceOf(DomainError);
        expect((r.reason as DomainError).message).toBe(
          'The address shared@contoso.com is already used by another user.',
        );
      }
      expect(await s.users.count()).toBe(1);
    });

    it('search finds by part of email, display name or alias, case-insensitively, with % and _ taken literally', async () => {
      await s.users.insertMany([
        user('rob@contoso.com', { displayName: 'Rob Young' }),
        user('megan@contoso.com', { displayName: 'Megan Bowen', aliases: ['probe@contoso.com'] }),
        user('alex@contoso.com', { displayName: '100% Sales' }),
        user('a_b@contoso.com', { displayName: 'Underscore' }),
        user('axb@contoso.com', { displayName: 'Plain' }),
      ]);
      const emails = async (search: string) => (await s.users.list({ search })).items.map((u) => u.email);
      expect(await emails('rob')).toEqual(['megan@contoso.com', 'rob@contoso.com']);
      expect(await emails('  YOUNG ')).toEqual(['rob@contoso.com']);
      expect(await emails('a_b')).toEqual(['a_b@contoso.com']);
      expect(await emails('%')).toEqual(['alex@contoso.com']);
      expect(await emails('!')).toEqual([]);
      expect((await s.users.list({ search: '' })).total).toBe(5);
    });

    it('filters by sign-in blocked, locked, restricted and role, and pages with a total', async () => {
      await s.users.insertMany([
        user('blocked@contoso.com', { signInBlocked: true }),
        user('locked@contoso.com', {
          lockout: { ...EMPTY_LOCKOUT, unfamiliar: { failures: 10, lockedUntil: at(10), lockouts: 1 } },
        }),
        user('restricted@contoso.com'),
        user('admin@contoso.com', { roles: ['global-admin'] }),
        ...['u1', 'u2', 'u3'].map((n) => user(`${n}@contoso.com`)),
      ]);
      await s.restrictions.insert(restriction('r1', 'u-restricted@contoso.com'));
      await s.restrictions.insert(
        restriction('r2', 'u-u1@contoso.com', { releasedAt: at(1), releaseKind: 'unblock', releasedBy: 'x' }),
      );
      await s.restrictions.insert(restriction('r3', 'u-u2@contoso.com', { kind: 'until-tomorrow', releaseAt: at(-1) }));
      const emails = async (q: Parameters<Stores['users']['list']>[0]) =>
        (await s.users.list(q)).items.map((u) => u.email);
      expect(await emails({ signInBlocked: true })).toEqual(['blocked@contoso.com']);
      expect(await emails({ lockedAt: at(9) })).toEqual(['locked@contoso.com']);
      expect(await emails({ lockedAt: at(10) })).toEqual([]);
      expect(await emails({ restrictedAt: T0 })).toEqual(['restricted@contoso.com']);
      expect(await emails({ role: 'global-admin' })).toEqual(['admin@contoso.com']);

      const page = await s.users.list({ offset: 2, limit: 3 });
      expect(page.total).toBe(7);
      expect(page.items.map((u) => u.email)).toEqual([
        'locked@contoso.com',
        'restricted@contoso.com',
        'u1@contoso.com',
      ]);
      expect((await s.users.list({ limit: 100_000 })).items).toHaveLength(7);
    });

    it('a unit of work that throws leaves nothing behind; one that resolves commits everything', async () => {
      const boom = new Error('work failed');
      await expect(
        t.store.uow.run(async (tx) => {
          await tx.users.insert(user('rob@contoso.com'));
          await tx.restrictions.insert(restriction('r1', 'u-rob@contoso.com'));
          await tx.audit.append({
            at: T0,
            actor: { kind: 'cli', id: 'root', label: 'root' },
            action: 'user.created',
            target: 'user:rob@contoso.com',
          });
          expect(await tx.users.count()).toBe(1);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await s.users.count()).toBe(0);
      expect(await s.restrictions.findById('r1')).toBeUndefined();
      expect(await collect(s.audit.all())).toEqual([]);

      const result = await t.store.uow.run(async (tx) => {
        await tx.users.insert(user('rob@contoso.com'));
        return tx.audit.append({
          at: T0,
          actor: { kind: 'cli', id: 'root', label: 'root' },
          action: 'user.created',
          target: 'user:rob@contoso.com',
        });
      });
      expect(result.seq).toBe(1);
      expect(await s.users.count()).toBe(1);
    });

    it('restrictions: open, due for release, unblock counts and history', async () => {
      await s.users.insertMany([user('rob@contoso.com', { displayName: 'Rob Young' }), user('megan@contoso.com')]);
      const rob = 'u-rob@contoso.com';
      await s.restrictions.insert(
        restriction('old', rob, {
          restrictedAt: at(-3000),
          releasedAt: at(-2000),
          releasedBy: 'admin',
          releaseKind: 'unblock',
          stepsDone: ['reset-password'],
        }),
      );
      await s.restrictions.insert(
        restriction('auto', rob, {
          restrictedAt: at(-1000),
          releasedAt: at(-900),
          releasedBy: 'system',
          releaseKind: 'auto',
        }),
      );
      await s.restrictions.insert(
        restriction('now', rob, { kind: 'until-tomorrow', restrictedAt: at(-10), releaseAt: at(30) }),
      );
      await s.restrictions.insert(restriction('meg', 'u-megan@contoso.com', { restrictedAt: at(-5) }));

      expect((await s.restrictions.findOpenByUser(rob))?.id).toBe('now');
      expect((await s.restrictions.listOpen()).map((o) => [o.restriction.id, o.user.email])).toEqual([
        ['meg', 'megan@contoso.com'],
        ['now', 'rob@contoso.com'],
      ]);
      expect((await s.restrictions.listOpen('young')).map((o) => o.restriction.id)).toEqual(['now']);
      expect(await s.restrictions.listDue(at(29))).toEqual([]);
      expect((await s.restrictions.listDue(at(30))).map((r) => r.id)).toEqual(['now']);
      expect(await s.restrictions.countUnblocksSince(rob, at(-2500))).toBe(1);
      expect(await s.restrictions.countUnblocksSince(rob, at(-1999))).toBe(0);
      expect((await s.restrictions.listByUser(rob)).map((r) => r.id)).toEqual(['now', 'auto', 'old']);

      const open = (await s.restrictions.findById('now'))!;
      const released = { ...open, releasedAt: at(30), releasedBy: 'system', releaseKind: 'auto' as const };
      await s.restrictions.update(released);
      expect(await s.restrictions.findById('now')).toEqual(released);
      expect(await s.restrictions.findOpenByUser(rob)).toBeUndefined();
    });

    it('audit: 50 parallel appends form one unbroken chain; a tampered row breaks verification', async () => {
      const actor = { kind: 'user' as const, id: 'u-admin', label: 'admin@contoso.com', address: '192.0.2.1' };
      const first = await s.audit.append({
        at: T0,
        actor,
        action: 'user.created',
        target: 'user:rob@contoso.com',
        after: { email: 'rob@contoso.com', when: at(1) },
      });
      expect(first).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => [
          s.audit.append({ at: at(i), actor, action: 'user.unlocked', target: `user:u${i}@contoso.com` }),
          t.store.uow.run((tx) =>
            tx.audit.append({
              at: at(i),
              actor,
              action: 'restriction.unblocked',
              target: `user:r${i}@contoso.com`,
              before: { restricted: true },
            }),
          ),
        ]).flat(),
      );
      const entries = await collect(s.audit.all());
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(verifyChain(sha256, entries)).toEqual({ ok: true, count: 51 });
      expect(entries[0]).toEqual(first);

      const page = await s.audit.list({ action: 'restriction', limit: 10 });
      expect(page.total).toBe(25);
      expect(page.items).toHaveLength(10);
      expect(page.items[0]!.seq).toBeGreaterThan(page.items[1]!.seq);
      expect((await s.audit.list({ target: 'ROB@' })).items.map((e: AuditEntry) => e.seq)).toEqual([1]);
      expect((await s.audit.list({ actor: 'admin@' })).total).toBe(51);

      // The database refuses the edit itself (issue 13); an intruder first drops the trigger.
      await expect(
        t.rawQuery(`update audit_log set target = 'user:mallory@contoso.com' where seq = 17`),
      ).rejects.toThrow(/append-only/);
      await t.rawQuery(
        backend.name === 'sqlite'
          ? 'drop trigger audit_log_no_update'
          : 'drop trigger audit_log_no_change on audit_log',
      );
      await t.rawQuery(`update audit_log set target = 'user:mallory@contoso.com' where seq = 17`);
      const verdict = verifyChain(sha256, await collect(s.audit.all()));
      expect(verdict).toMatchObject({ ok: false, seq: 17, fault: 'changed' });
    });

    it('audit: all() pages through more than one chunk in seq order', async () => {
      const actor = { kind: 'system' as const, id: 'system', label: 'Sendwarden' };
      await t.store.uow.run(async (tx) => {
        for (let i = 0; i < 1005; i++) await tx.audit.append({ at: T0, actor, action: 'x.y', target: `t${i}` });
      });
      const entries = await collect(s.audit.all());
      expect(verifyChain(sha256, entries)).toEqual({ ok: true, count: 1005 });
    });

    it('policies: the default policy exists after the first start; custom ones order by priority', async () => {
      const def = await s.policies.getDefault();
      expect(def).toEqual(defaultPolicy('default', def!.updatedAt));
      expect(def).toMatchObject({
        id: 'default',
        isDefault: true,
        priority: Number.MAX_SAFE_INTEGER,
        limits: DEFAULT_LIMITS,
        action: 'restrict-until-tomorrow',
      });
      const custom = {
        ...def!,
        id: 'sales',
        name: 'Sales',
        isDefault: false,
        priority: 1,
        scope: { users: [], groups: ['sales'], domains: [] },
        updatedAt: at(1),
      };
      await s.policies.save(custom);
      await s.policies.save({ ...custom, id: 'exec', name: 'Executives', priority: 0 });
      expect((await s.policies.list()).map((p) => p.id)).toEqual(['exec', 'sales', 'default']);
      await s.policies.save({ ...custom, limits: { ...custom.limits, externalPerHour: 5 } });
      expect((await s.policies.list()).find((p) => p.id === 'sales')?.limits.externalPerHour).toBe(5);
      await s.policies.delete('exec');
      expect((await s.policies.list()).map((p) => p.id)).toEqual(['sales', 'default']);
      // Names (any case) and priorities are unique in the database itself, so racing admins cannot both win.
      await expectCode(s.policies.save({ ...custom, id: 'sales-2', name: 'SALES', priority: 7 }), 'INVALID_INPUT');
      await expectCode(s.policies.save({ ...custom, id: 'sales-3', name: 'Other', priority: 1 }), 'INVALID_INPUT');
      expect((await s.policies.list()).map((p) => p.id)).toEqual(['sales', 'default']);
    });

    it('tokens, sessions (revokeAllForUser) and reset codes round-trip', async () => {
      const token: ApiToken = {
        id: 't1',
        name: 'ci',
        role: 'security-admin',
        hash: 'abc',
        createdAt: T0,
        expiresAt: at(60),
        revokedAt: null,
        lastUsedAt: null,
        createdBy: 'admin@contoso.com',
      };
      await s.tokens.insert(token);
      await s.tokens.update({ ...token, lastUsedAt: at(2) });
      expect(await s.tokens.findById('t1')).toEqual({ ...token, lastUsedAt: at(2) });
      expect(await s.tokens.list()).toHaveLength(1);

      await s.users.insertMany([user('rob@contoso.com'), user('megan@contoso.com')]);
      const rob = 'u-rob@contoso.com';
      await s.sessions.insert(session('s1', rob));
      await s.sessions.insert(session('s2', rob, { createdAt: at(1) }));
      await s.sessions.insert(session('s3', rob, { expiresAt: at(-1) }));
      await s.sessions.insert(session('s4', 'u-megan@contoso.com'));
      expect(await s.sessions.findById('s1')).toEqual(session('s1', rob));
      expect(await s.sessions.revokeAllForUser(rob, at(5))).toBe(2);
      expect((await s.sessions.listByUser(rob)).map((x) => [x.id, x.revokedAt])).toEqual([
        ['s2', at(5)],
        ['s1', at(5)],
        ['s3', null],
      ]);
      expect((await s.sessions.findById('s4'))?.revokedAt).toBeNull();

      await s.resetCodes.insert(resetCode('c1', rob, at(0)));
      await s.resetCodes.insert(resetCode('c2', rob, at(1)));
      expect((await s.resetCodes.findLatestUnused(rob))?.id).toBe('c2');
      await s.resetCodes.update({ ...resetCode('c2', rob, at(1)), usedAt: at(2), attempts: 1 });
      expect((await s.resetCodes.findLatestUnused(rob))?.id).toBe('c1');
      expect(await s.resetCodes.countSince(rob, at(1))).toBe(1);
    });

    it('alerts list newest first with filters and resolve', async () => {
      const alert = (id: string, minutes: number, over: Partial<Alert> = {}): Alert => ({
        id,
        type: 'user-restricted',
        severity: 'high',
        title: 'User restricted from sending email',
        userId: 'u-rob@contoso.com',
        userEmail: 'rob@contoso.com',
        summary: 'rob@contoso.com was restricted',
        details: { rule: 'external-per-hour', counts: { hour: 6 } },
        createdAt: at(minutes),
        resolvedAt: null,
        resolvedBy: null,
        ...over,
      });
      await s.alerts.insert(alert('a1', 0));
      await s.alerts.insert(alert('a2', 1, { type: 'account-locked', severity: 'medium', userId: 'u-megan' }));
      await s.alerts.insert(alert('a3', 2));
      await s.alerts.update({ ...alert('a3', 2), resolvedAt: at(3), resolvedBy: 'admin' });
      expect(await s.alerts.findById('a3')).toEqual({ ...alert('a3', 2), resolvedAt: at(3), resolvedBy: 'admin' });
      const ids = async (q: Parameters<Stores['alerts']['list']>[0]) => (await s.alerts.list(q)).items.map((a) => a.id);
      expect(await ids({})).toEqual(['a3', 'a2', 'a1']);
      expect(await ids({ open: true })).toEqual(['a2', 'a1']);
      expect(await ids({ open: false })).toEqual(['a3']);
      expect(await ids({ type: 'user-restricted', userId: 'u-rob@contoso.com' })).toEqual(['a3', 'a1']);
      expect((await s.alerts.list({ limit: 1 })).total).toBe(3);
    });

    it('message log: batch insert, list, hourly counts, top senders and prune', async () => {
      const batch = [
        message('m1', { at: new Date('2025-03-10T08:59:59.999Z') }),
        message('m2', { at: new Date('2025-03-10T09:00:00.000Z') }),
        message('m3', {
          at: new Date('2025-03-10T09:30:00.000Z'),
          outcome: 'rejected',
          reasonCode: 'RATE_LIMITED',
          spamScore: null,
          // Rspamd's verdict (migration 007): action, score, top symbols and which scorers said spam.
          scanner: { name: 'rspamd', action: 'reject', score: 15.5, symbols: ['GTUBE', 'BAYES_SPAM'] },
          spamBy: ['builtin', 'rspamd'],
        }),
        message('m4', { at: new Date('2025-03-10T09:45:00.000Z'), sender: 'megan@contoso.com', userId: 'u-megan' }),
      ];
      await s.messages.insertMany(batch);
      await s.messages.insertMany([]);
      const list = await s.messages.list({ userId: 'u-rob@contoso.com' });
      expect(list.total).toBe(3);
      expect(list.items.map((m) => m.id)).toEqual(['m3', 'm2', 'm1']);
      expect(list.items[2]).toEqual(batch[0]);
      expect(list.items[0]).toEqual(batch[2]);
      expect(await s.messages.hourlyCounts(new Date('2025-03-10T08:00:00Z'))).toEqual([
        { hour: new Date('2025-03-10T08:00:00Z'), outcome: 'relayed', count: 1 },
        { hour: new Date('2025-03-10T09:00:00Z'), outcome: 'rejected', count: 1 },
        { hour: new Date('2025-03-10T09:00:00Z'), outcome: 'relayed', count: 2 },
      ]);
      expect(await s.messages.topSenders(new Date('2025-03-10T00:00:00Z'), 5)).toEqual([
        { sender: 'rob@contoso.com', count: 3 },
        { sender: 'megan@contoso.com', count: 1 },
      ]);
      expect(await s.messages.prune(new Date('2025-03-10T09:00:00Z'))).toBe(1);
      expect((await s.messages.list({})).total).toBe(3);
    });

    it('message log keeps the first recipients (schema 8)', async () => {
      await s.messages.insertMany([message('r1', { recipients: ['a@fabrikam.com', 'b@fabrikam.com'] }), message('r2')]);
      const items = (await s.messages.list({})).items;
      expect(items.find((m) => m.id === 'r1')!.recipients).toEqual(['a@fabrikam.com', 'b@fabrikam.com']);
      expect(items.find((m) => m.id === 'r2')!.recipients).toBeUndefined();
    });

    it('evidence vault: sealed at rest, lists newest first in a range, trims and prunes; a changed row or another key fails clearly', async () => {
      const key = randomBytes(32);
      const vault = t.store.evidenceVault(key);
      const record = (id: string, minutes: number): EvidenceRecord => ({
        id,
        userId: 'u-rob',
        at: at(minutes),
        kind: 'spam',
        subject: `Secret subject ${id}`,
        recipients: ['hidden.recipient@fabrikam.com'],
        recipientCount: 7,
        spamScore: 3.5,
        spamBy: ['builtin', 'rspamd'],
        scanner: { name: 'rspamd', action: 'reject', score: 1000, symbols: ['GTUBE'] },
        reason: 'Message refused as spam',
        size: 40,
        truncated: false,
      });
      const body = (id: string) => Buffer.from(`Subject: Secret subject ${id}\r\n\r\nconfidential body text ${id}\r\n`);
      for (const [id, m] of [
        ['e1', 1],
        ['e2', 2],
        ['e3', 3],
      ] as const) {
        await vault.put({ record: record(id, m), raw: body(id) });
      }
      await vault.put({ record: record('e1', 1), raw: body('e1') }); // a second put of the same id is ignored
      expect((await vault.list('u-rob', { after: null, until: null }, 20)).map((r) => r.id)).toEqual([
        'e3',
        'e2',
        'e1',
      ]);
      expect((await vault.list('u-rob', { after: at(1), until: at(2) }, 20)).map((r) => r.id)).toEqual(['e2']);
      const kept = await vault.read('u-rob', 'e2');
      expect(kept!.record).toEqual(record('e2', 2));
      expect(Buffer.from(kept!.raw).toString()).toBe(body('e2').toString());
      expect(await vault.read('u-other', 'e2')).toBeUndefined();

      const rows = (await t.rawQuery('select * from evidence_messages')) as Record<string, unknown>[];
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain('Secret subject');
      expect(dump).not.toContain('hidden.recipient');
      expect(dump).not.toContain('confidential body');
      for (const r of rows) {
        const sealed = Buffer.from(String(r['body']), 'base64');
        expect(sealed.toString('latin1')).not.toContain('confidential');
      }

      await expect(t.store.evidenceVault(randomBytes(32)).read('u-rob', 'e2')).rejects.toMatchObject({
        code: 'EVIDENCE_UNREADABLE',
        message: expect.stringContaining('SENDWARDEN_SECRET'),
      });
      const row = rows.find((r) => r['id'] === 'e3')!;
      const flipped = Buffer.from(String(row['body']), 'base64');
      flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
      await t.rawQuery('update evidence_messages set body = ? where id = ?', [flipped.toString('base64'), 'e3']);
      await expect(vault.read('u-rob', 'e3')).rejects.toMatchObject({ code: 'EVIDENCE_UNREADABLE' });
      // A sealed value moved to another row is refused too (bound to its id, user and field).
      await t.rawQuery('update evidence_messages set summary = ? where id = ?', [
        String(rows.find((r) => r['id'] === 'e1')!['summary']),
        'e2',
      ]);
      await expect(vault.read('u-rob', 'e2')).rejects.toMatchObject({ code: 'EVIDENCE_UNREADABLE' });

      expect(await vault.trim('u-rob', null, 1)).toBe(2);
      expect(await vault.prune(at(4))).toBe(1);
      expect(await vault.list('u-rob', { after: null, until: null }, 20)).toEqual([]);
    });

    it('organisations are found by any of their domains', async () => {
      const org = { id: 'org-1', name: 'Contoso', domains: ['contoso.com', 'contoso.org'], createdAt: T0 };
      await s.orgs.insert(org);
      expect(await s.orgs.findByDomain('CONTOSO.org')).toEqual(org);
      await s.orgs.update({ ...org, domains: ['contoso.com'] });
      expect(await s.orgs.findByDomain('contoso.org')).toBeUndefined();
      expect(await s.orgs.list()).toEqual([{ ...org, domains: ['contoso.com'] }]);
    });

    it('refuses a database written by a newer Sendwarden (SCHEMA_TOO_NEW)', async () => {
      await t.store.close();
      await t.rawQuery(`insert into schema_version (version, name, applied_at) values (999, 'future', 0)`);
      await expectCode(
        openStore(optionsFor(backend, t), sha256),
        'SCHEMA_TOO_NEW',
        new RegExp(
          `was written by a newer Sendwarden \\(schema 999, this version knows ${LATEST_SCHEMA_VERSION}\\)\\. Upgrade Sendwarden or restore a backup\\.$`,
        ),
      );
    });

    it('reopening an up-to-date database keeps its data', async () => {
      await s.users.insert(user('rob@contoso.com'));
      await t.store.close();
      const again = await openStore(optionsFor(backend, t), sha256);
      try {
        expect(await again.stores.users.count()).toBe(1);
        expect((await again.stores.policies.list()).map((p) => p.id)).toEqual(['default']);
      } finally {
        await again.close();
      }
    });

    it('runs a migration that is not recorded even when newer ones are (two branches, one number each)', async () => {
      await t.store.close();
      // As if migration 3 had come in after 4..latest were applied: its indexes and its row are missing.
      await t.rawQuery(`drop index policies_name_unique`);
      await t.rawQuery(`drop index policies_priority_unique`);
      await t.rawQuery(`delete from schema_version where version = 3`);
      const again = await openStore(optionsFor(backend, t), sha256);
      try {
        const versions = (await t.rawQuery(`select version from schema_version order by version`)) as {
          version: number | string;
        }[];
        expect(versions.map((r) => Number(r.version))).toEqual(
          Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
        );
        // The unique index is back: a second policy named like the default one is refused.
        await expect(
          t.rawQuery(
            `insert into policies (id, name, is_default, priority, body, updated_at) select 'dup', upper(name), 0, priority + 1000, body, updated_at from policies where id = 'default'`,
          ),
        ).rejects.toThrow(/unique/i);
      } finally {
        await again.close();
      }
    });

    it('a store whose database went away answers STORE_UNAVAILABLE, not a driver error', async () => {
      await t.store.close();
      await expectCode(s.users.count(), 'STORE_UNAVAILABLE', /^The database at .+ did not complete the request/);
      await expectCode(
        t.store.uow.run((tx) => tx.users.count()),
        'STORE_UNAVAILABLE',
      );
      await expectCode(collect(s.audit.all()), 'STORE_UNAVAILABLE');
    });

    it('dataVersion changes when another process commits (SQLite); PostgreSQL has none and says 0', async () => {
      if (backend.name === 'postgres') {
        await t.rawQuery(`update policies set name = 'Changed by the CLI' where id = 'default'`);
        expect(await t.store.dataVersion()).toBe(0);
        return;
      }
      const before = await t.store.dataVersion();
      await t.rawQuery(`update policies set name = 'Changed by the CLI' where id = 'default'`);
      expect(await t.store.dataVersion()).not.toBe(before);
      expect((await s.policies.getDefault())?.name).toBe('Changed by the CLI');
    });

    it('imports 10,000 users with aliases in batches of 500', async () => {
      const users = Array.from({ length: 10_000 }, (_, i) =>
        user(`user${i}@contoso.com`, {
          aliases: i % 2 === 0 ? [`alias${i}@contoso.com`] : [`a${i}@contoso.com`, `b${i}@contoso.com`],
        }),
      );
      for (let i = 0; i < users.length; i += 500) {
        const batch = users.slice(i, i + 500);
        await t.store.uow.run((tx) => tx.users.insertMany(batch));
      }
      expect(await s.users.count()).toBe(10_000);
      expect((await s.users.findByAddress('b9999@contoso.com'))?.email).toBe('user9999@contoso.com');
      // alias1230, alias1232 ... alias1238: only even users have an alias{i}.
      expect((await s.users.list({ search: 'alias123' })).total).toBe(5);
    }, 120_000);
  });
});

function session(id: string, userId: string, over: Partial<Session> = {}): Session {
  return {
    id,
    userId,
    hash: `hash-${id}`,
    epoch: 0,
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: at(60),
    revokedAt: null,
    mfaDone: true,
    address: '192.0.2.1',
    userAgent: 'Firefox',
    ...over,
  };
}

function resetCode(id: string, userId: string, createdAt: Date): ResetCode {
  return {
    id,
    userId,
    hash: `hash-${id}`,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 600_000),
    attempts: 0,
    usedAt: null,
  };
}

describe('store start-up failures', () => {
  it('a file that is not a database is refused with SCHEMA_CORRUPT', async () => {
    const tmp = await makeTempDir();
    try {
      const file = path.join(tmp.dir, 'sendwarden.db');
      await fs.writeFile(file, 'this is a CSV export, not a database\n'.repeat(200));
      await expectCode(
        openStore({ kind: 'sqlite', file }, sha256),
        'SCHEMA_CORRUPT',
        /is not a Sendwarden database or is damaged/,
      );
    } finally {
      await tmp.remove();
    }
  });

  it('a SQLite file of another program is refused with SCHEMA_CORRUPT', async () => {
    const tmp = await makeTempDir();
    try {
      const file = path.join(tmp.dir, 'other.db');
      const { sqliteRawQuery } = await import('../support/db.js');
      await sqliteRawQuery(file, 'create table invoices (id integer primary key)');
      await expectCode(openStore({ kind: 'sqlite', file }, sha256), 'SCHEMA_CORRUPT', /database of another program/);
    } finally {
      await tmp.remove();
    }
  });

  it('a data directory that cannot be created is refused with DATA_DIR_NOT_WRITABLE', async () => {
    const tmp = await makeTempDir();
    try {
      // A plain file where the data directory should be: fails the same way for root and for other users.
      const blocker = path.join(tmp.dir, 'data');
      await fs.writeFile(blocker, 'not a directory');
      await expectCode(
        openStore({ kind: 'sqlite', file: path.join(blocker, 'sendwarden.db') }, sha256),
        'DATA_DIR_NOT_WRITABLE',
        `Sendwarden cannot use the data directory ${blocker}: a file is in the way of it. Move that file, or set SENDWARDEN_DATA_DIR to a writable directory.`,
      );
    } finally {
      await tmp.remove();
    }
  });

  it('a PostgreSQL URL nobody answers on gives STORE_UNAVAILABLE naming host:port', async () => {
    const err = await expectCode(
      openStore({ kind: 'postgres', url: 'postgres://postgres:secret@127.0.0.1:1/sendwarden' }, sha256),
      'STORE_UNAVAILABLE',
      /^The database at 127\.0\.0\.1:1\/sendwarden does not answer \(ECONNREFUSED\)/,
    );
    expect(err.message).not.toContain('secret');
  });
});

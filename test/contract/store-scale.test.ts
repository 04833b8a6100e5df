/**
 * Issue 14 on both dialects: the trigram search index answers exactly as the scan did (the rule of
 * core/directory/search.ts) on a directory of tricky names, through inserts, updates and deletes;
 * the Home rollups equal a recount of the log across hour boundaries, late records and pruning;
 * migrations 010 and 011 index and backfill what was there before; the Home overview is
 * authorised in core. Real SQLite and PostgreSQL, nothing mocked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alerts/alert.js';
import { matchesSearch } from '../../src/core/directory/search.js';
import type { User } from '../../src/core/directory/user.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import { openStore } from '../../src/adapters/store/kysely-store.js';
import { KyselyUserStore } from '../../src/adapters/store/kysely-user-store.js';
import { migrate } from '../../src/adapters/store/migrator.js';
import { MIGRATIONS } from '../../src/adapters/store/migrations/index.js';
import type { Db } from '../../src/adapters/store/schema.js';
import type { Stores } from '../../src/ports/stores.js';
import { makeUser } from '../support/builders.js';
import { coreServices, principal } from '../support/core-services.js';
import { backends, createPostgresDatabase, makeTempDir, sha256, type TestStore } from '../support/db.js';
import { FakeClock } from '../support/fake-clock.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-10T09:00:00Z');

/** A directory whose names trip naive search: case, accents, Turkish dotted I, ß, IDN, %, _, !, quotes. */
function trickyDirectory(): User[] {
  const u = (email: string, displayName: string, aliases: string[] = []) => makeUser(email, { displayName, aliases });
  return [
    u('rob@contoso.com', 'Rob Young', ['robert.young@contoso.com']),
    u('megan@contoso.com', 'Megan Bowen', ['probe@contoso.com']),
    u('roberta@contoso.com', 'ROBERTA Ström'),
    u('zoe@contoso.com', 'Zoë Ørsted'),
    u('ilker@contoso.com', 'İlker Çelik'),
    u('strasse@contoso.com', 'Hans Straße'),
    u('jorg@xn--mnchen-3ya.de', 'Jörg aus München', ['joerg@münchen.de']),
    u('alex@contoso.com', '100% Sales'),
    u('a_b@contoso.com', 'Under_score'),
    u('axb@contoso.com', 'Plain'),
    u('bang@contoso.com', 'Bang! Quote "Q"'),
    u('emoji@contoso.com', 'Party 🎉 Planner'),
  ];
}

const NEEDLES = [
  'rob',
  'ROB',
  ' Rob ',
  'ob',
  'r',
  'robe',
  'young',
  'g y',
  'ng\nro',
  'ström',
  'strö',
  'STRÖM',
  'ø',
  'ørs',
  'i̇lk',
  'ilk',
  'çel',
  'ß',
  'straß',
  'stra',
  'xn--',
  'mnchen',
  'münchen',
  'jörg',
  '100%',
  '%',
  '0% s',
  '_',
  'a_b',
  'r_s',
  '!',
  'g! q',
  '"q"',
  '"',
  '🎉',
  'y 🎉 p',
  '@contoso',
  'contoso.com',
  'alias',
  'zzz',
  '',
];

function reference(users: readonly User[], needle: string): string[] {
  return users
    .filter((x) => matchesSearch(x, needle))
    .map((x) => x.email)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function message(id: string, atMs: number, sender: string, outcome = 'relayed'): MessageRecord {
  return {
    id,
    at: new Date(atMs),
    userId: `u-${sender}`,
    sender,
    recipientsInternal: 0,
    recipientsExternal: 1,
    recipientsRefused: outcome === 'relayed' ? 0 : 1,
    size: 100,
    subject: null,
    spamScore: null,
    isSpam: false,
    outcome: outcome as MessageRecord['outcome'],
    reasonCode: null,
    reason: null,
    nextHopReply: null,
    clientAddress: null,
    scanner: null,
    spamBy: [],
  };
}

/** The overview's numbers recounted from the records themselves. */
function recount(records: readonly MessageRecord[], since: number, limit = 10) {
  const kept = records.filter((m) => m.at.getTime() >= since);
  const hourly = new Map<string, { hour: Date; outcome: string; count: number }>();
  const senders = new Map<string, number>();
  for (const m of kept) {
    const hour = Math.floor(m.at.getTime() / HOUR) * HOUR;
    const key = `${hour} ${m.outcome}`;
    const h = hourly.get(key) ?? { hour: new Date(hour), outcome: m.outcome, count: 0 };
    h.count += 1;
    hourly.set(key, h);
    senders.set(m.sender, (senders.get(m.sender) ?? 0) + 1);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    hourly: [...hourly.values()].sort((a, b) => a.hour.getTime() - b.hour.getTime() || cmp(a.outcome, b.outcome)),
    top: [...senders]
      .map(([sender, count]) => ({ sender, count }))
      .sort((a, b) => b.count - a.count || cmp(a.sender, b.sender))
      .slice(0, limit),
  };
}

async function expectRollupsMatch(s: Stores, records: readonly MessageRecord[], sinces: readonly number[]) {
  for (const since of sinces) {
    const want = recount(records, since);
    expect(await s.messages.hourlyCounts(new Date(since)), `hourly since ${new Date(since).toISOString()}`).toEqual(
      want.hourly,
    );
    expect(await s.messages.topSenders(new Date(since), 10), `top since ${new Date(since).toISOString()}`).toEqual(
      want.top,
    );
  }
}

// Senders whose order is the same in every collation (distinct first letters, lower case).
const SENDERS = ['amy@x.test', 'bob@x.test', 'cat@x.test', 'dan@x.test', 'eve@x.test'];

describe.each(backends)('issue 14 stores on $name', (backend) => {
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

    it('the search index is in use and answers as the scan rule, through updates and deletes', async () => {
      expect(t.store.userSearch).toBe('index');
      let users = trickyDirectory();
      await s.users.insertMany(users);
      const check = async () => {
        for (const needle of NEEDLES) {
          const page = await s.users.list({ search: needle, limit: 500 });
          expect(
            page.items.map((x) => x.email),
            `search ${JSON.stringify(needle)}`,
          ).toEqual(reference(users, needle));
          expect(page.total).toBe(reference(users, needle).length);
        }
      };
      await check();
      // Rename, change aliases, delete: the index follows each.
      const rob = users[0] as User;
      const renamed = { ...rob, displayName: 'Bobby Tables', aliases: ['rstrom@contoso.com'] };
      await s.users.update(renamed);
      const megan = users[1] as User;
      await s.users.update({ ...megan, aliases: [] });
      await s.users.delete('u-roberta@contoso.com');
      users = users
        .filter((x) => x.email !== 'roberta@contoso.com')
        .map((x) => (x.id === rob.id ? renamed : x.id === megan.id ? { ...megan, aliases: [] } : x));
      await check();
      // megan's alias probe@ and roberta are gone; rob keeps his address but not his name.
      expect((await s.users.list({ search: 'rob' })).items.map((x) => x.email)).toEqual(['rob@contoso.com']);
      expect((await s.users.list({ search: 'young' })).items.map((x) => x.email)).toEqual([]);
      expect((await s.users.list({ search: 'rstrom' })).items.map((x) => x.email)).toEqual(['rob@contoso.com']);
      expect((await s.users.list({ search: 'tables' })).items.map((x) => x.email)).toEqual(['rob@contoso.com']);
      // A unit of work that fails leaves the index as it was.
      await expect(
        t.store.uow.run(async (tx) => {
          await tx.users.insert(makeUser('robin@contoso.com', { displayName: 'Robin Hood' }));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await s.users.list({ search: 'robin' })).total).toBe(0);
      // The restricted-users search uses the same condition.
      expect(await s.restrictions.listOpen('tables')).toEqual([]);
    });

    it('inserts 3,000 users with two aliases each in one insertMany (statements split under the bound-variable limit)', async () => {
      const users = Array.from({ length: 3000 }, (_, i) =>
        makeUser(`bulk${i}@contoso.com`, {
          displayName: `Bulk ${i}`,
          aliases: [`b${i}@contoso.com`, `k${i}@contoso.com`],
        }),
      );
      await s.users.insertMany(users);
      expect((await s.users.list({ search: 'bulk2999', limit: 5 })).items.map((u) => u.aliases)).toEqual([
        ['b2999@contoso.com', 'k2999@contoso.com'],
      ]);
      expect((await s.users.list({ limit: 1 })).total).toBe(3000);
    });

    it('rollups equal a recount of the log across hours, late records, a moving window and pruning', async () => {
      const records: MessageRecord[] = [];
      let n = 0;
      const batch = async (times: readonly number[], outcome = 'relayed') => {
        const part = times.map((at, i) => message(`m${n++}`, at, SENDERS[(n + i) % SENDERS.length] as string, outcome));
        records.push(...part);
        await s.messages.insertMany(part);
      };
      // Hour 0 and the boundary into hour 1, some refused.
      await batch([T0, T0 + 1, T0 + HOUR - 1, T0 + HOUR, T0 + HOUR + 59_000]);
      await batch([T0 + 30 * 60_000, T0 + HOUR + 1], 'rejected');
      await batch([T0 + 2 * HOUR + 5], 'deferred');
      const windowAt = (ms: number) => Math.floor(ms / HOUR) * HOUR - 23 * HOUR;
      await expectRollupsMatch(s, records, [windowAt(T0 + 2 * HOUR), T0, T0 + HOUR, T0 + HOUR + 1, T0 - 7 * HOUR]);
      // A day later the window moves: the first hours leave it.
      await batch([T0 + 25 * HOUR, T0 + 26 * HOUR + 10]);
      // A late record from before the window still counts in its own hour.
      await batch([T0 + 90 * 60_000]);
      await expectRollupsMatch(s, records, [windowAt(T0 + 26 * HOUR), T0, T0 + 25 * HOUR, T0 + 2 * HOUR + 6]);
      // Pruning at a time inside an hour: the rollups recount that hour from what is left.
      const cut = T0 + HOUR + 30_000;
      const pruned = await s.messages.prune(new Date(cut));
      const left = records.filter((m) => m.at.getTime() >= cut);
      expect(pruned).toBe(records.length - left.length);
      await expectRollupsMatch(s, left, [windowAt(T0 + 26 * HOUR), T0, T0 + HOUR, T0 + 25 * HOUR]);
      // Pruning past the window start rebuilds the window; new mail then adds to it.
      const late = T0 + 26 * HOUR + 1;
      expect(await s.messages.prune(new Date(late))).toBeGreaterThan(0);
      const remaining = left.filter((m) => m.at.getTime() >= late);
      records.splice(0, records.length, ...remaining);
      await batch([T0 + 26 * HOUR + 20, T0 + 27 * HOUR]);
      await expectRollupsMatch(s, records, [windowAt(T0 + 27 * HOUR), T0, T0 + 26 * HOUR]);
    });

    it('Home: a role without the permissions gets empty counts; a reader gets them (authorised in core)', async () => {
      const clock = new FakeClock(new Date(T0 + 10 * 60_000));
      const core = coreServices(t, clock);
      await s.users.insert(makeUser('rob@contoso.com'));
      await s.restrictions.insert({
        id: 'r1',
        userId: 'u-rob@contoso.com',
        kind: 'until-unblocked',
        evidence: { rule: 'external-per-hour', summary: 'too many', counts: { hour: 6 }, limit: 5 },
        restrictedAt: new Date(T0),
        releaseAt: null,
        releasedAt: null,
        releasedBy: null,
        releaseKind: null,
        stepsDone: [],
      });
      const alert: Alert = {
        id: 'a1',
        type: 'user-restricted',
        severity: 'high',
        title: 'User restricted from sending email',
        userId: 'u-rob@contoso.com',
        userEmail: 'rob@contoso.com',
        summary: 'rob@contoso.com was restricted',
        details: {},
        createdAt: new Date(T0),
        resolvedAt: null,
        resolvedBy: null,
      };
      await s.alerts.insert(alert);
      await s.messages.insertMany([
        message('m1', T0 + 60_000, 'rob@contoso.com'),
        message('m2', T0 - HOUR, 'rob@contoso.com', 'rejected'),
      ]);

      const helpdesk = await core.overview.forPrincipal(principal(['helpdesk']));
      expect(helpdesk.restrictedCount).toBe(0);
      expect(helpdesk.openAlerts).toBe(0);
      expect(helpdesk.topSenders).toEqual([]);
      expect(helpdesk.hourly).toHaveLength(24);
      expect(helpdesk.hourly.every((h) => h.relayed === 0 && h.refused === 0)).toBe(true);

      const reader = await core.overview.forPrincipal(principal(['security-reader']));
      expect(reader.restrictedCount).toBe(1);
      expect(reader.openAlerts).toBe(1);
      expect(reader.topSenders).toEqual([{ sender: 'rob@contoso.com', count: 2 }]);
      expect(reader.hourly[23]).toEqual({ hour: new Date(T0), relayed: 1, refused: 0 });
      expect(reader.hourly[22]).toEqual({ hour: new Date(T0 - HOUR), relayed: 0, refused: 1 });
    });
  });
});

/** A database at the schema before migration 010 (this issue), for the backfill test. */
async function openBeforeSearchIndex(
  kind: 'sqlite' | 'postgres',
  where: string,
): Promise<{ db: Db; close: () => Promise<void> }> {
  // Every migration before 010: the directory and log as an older Sendwarden left them.
  const old = MIGRATIONS.filter((m) => m.version < 10);
  let db: Db;
  if (kind === 'sqlite') {
    const { openSqlite } = await import('../../src/adapters/store/dialects/sqlite.js');
    db = openSqlite(where).db;
  } else {
    const { openPostgres } = await import('../../src/adapters/store/dialects/postgres.js');
    db = (await openPostgres(where)).db;
  }
  await migrate(db, kind, where, new Date(T0), old);
  return { db, close: () => db.destroy() };
}

describe.each(backends)('migrations 010 and 011 on $name', (backend) => {
  it.skipIf(backend.skip)(
    'index the existing directory and backfill the rollups from the existing log',
    async () => {
      const tmp = await makeTempDir();
      const pgDb = backend.name === 'postgres' ? await createPostgresDatabase() : undefined;
      const where = pgDb ? pgDb.url : `${tmp.dir}/sendwarden.db`;
      try {
        const old = await openBeforeSearchIndex(backend.name, where);
        const users = trickyDirectory();
        await new KyselyUserStore({
          db: old.db,
          kind: backend.name,
          inTransaction: false,
          auditMac: sha256,
          where,
          auditCommitted: { listener: undefined },
          userSearch: 'scan',
          changes: { generation: 0, directory: 0, restricted: [], probe: () => false },
        }).insertMany(users);
        const records = [0, 1, HOUR - 1, HOUR, 3 * HOUR, 20 * HOUR].map((d, i) =>
          message(`old${i}`, T0 + d, SENDERS[i % 2] as string, i === 2 ? 'rejected' : 'relayed'),
        );
        for (const m of records) {
          await old.db
            .insertInto('message_log')
            .values({
              id: m.id,
              at: m.at.getTime(),
              user_id: m.userId,
              sender: m.sender,
              recipients_internal: 0,
              recipients_external: 1,
              recipients_refused: 0,
              size: 1,
              subject: null,
              spam_score: null,
              is_spam: 0,
              outcome: m.outcome,
              reason_code: null,
              reason: null,
              next_hop_reply: null,
              client_address: null,
            })
            .execute();
        }
        await old.close();
        const store = await openStore(
          backend.name === 'sqlite' ? { kind: 'sqlite', file: where } : { kind: 'postgres', url: where },
          sha256,
        );
        try {
          for (const needle of ['rob', 'ström', 'münchen', '100%', 'ob']) {
            expect((await store.stores.users.list({ search: needle, limit: 500 })).items.map((x) => x.email)).toEqual(
              reference(users, needle),
            );
          }
          await expectRollupsMatch(store.stores, records, [T0 - 5 * HOUR, T0 + HOUR, T0 + HOUR + 1]);
        } finally {
          await store.close();
        }
      } finally {
        await pgDb?.drop();
        await tmp.remove();
      }
    },
    60_000,
  );
});

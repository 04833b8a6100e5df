/**
 * How fast the Audit log page's filters answer on 1,000,000 entries (issue 13), on SQLite:
 *   node --import tsx bench/audit-filters.ts [entries]
 * Fills a fresh store with synthetic rows (10,000 users, 20 actions, one entry a second), then
 * times the first page (50 rows and the total) for each filter the page offers. Prints JSON.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/adapters/store/kysely-store.js';
import type { AuditQuery } from '../src/ports/stores.js';

const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');
const N = Number(process.argv[2] ?? 1_000_000);
const ACTIONS = Array.from({ length: 20 }, (_, i) => `user.action-${i}`);
const T0 = Date.UTC(2026, 0, 1);

const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-bench-audit-'));
const file = path.join(dir, 'sendwarden.db');
try {
  (await openStore({ kind: 'sqlite', file }, sha256)).close();
  const db = new Database(file);
  const insert = db.prepare(
    'insert into audit_log (seq, at, actor, actor_id, actor_label, action, target, before, after, prev_hash, hash, key_id) values (?, ?, ?, ?, ?, ?, ?, null, null, ?, ?, ?)',
  );
  const fill = db.transaction(() => {
    for (let seq = 1; seq <= N; seq++) {
      const actor = `admin${seq % 50}@contoso.com`;
      insert.run(
        seq,
        T0 + seq * 1000,
        JSON.stringify({ kind: 'user', id: `u${seq % 50}`, label: actor }),
        `u${seq % 50}`,
        actor,
        ACTIONS[seq % 20],
        `user:u${(seq * 7) % 10_000}@contoso.com`,
        'x',
        'y',
        'k',
      );
    }
  });
  const filled = performance.now();
  fill();
  db.close();
  const fillMs = performance.now() - filled;
  const store = await openStore({ kind: 'sqlite', file }, sha256);
  const cases: Record<string, AuditQuery> = {
    'no filter': {},
    'user (target or actor)': { user: 'u4242@contoso.com' },
    'acting admin': { user: 'admin7@contoso.com' },
    action: { action: 'user.action-3' },
    'action prefix': { action: 'user' },
    'one day': { from: new Date(T0 + 400_000_000), to: new Date(T0 + 400_000_000 + 86_400_000) },
    'user and action': { user: 'u4242@contoso.com', action: 'user.action-14' },
  };
  const results: Record<string, { ms: number; total: number }> = {};
  for (const [name, q] of Object.entries(cases)) {
    await store.stores.audit.list({ ...q, limit: 50 });
    const t = performance.now();
    const page = await store.stores.audit.list({ ...q, limit: 50 });
    results[name] = { ms: Math.round(performance.now() - t), total: page.total };
  }
  await store.close();
  console.log(JSON.stringify({ entries: N, fillMs: Math.round(fillMs), firstPage: results }, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}

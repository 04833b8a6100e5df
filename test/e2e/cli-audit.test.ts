/**
 * Issue 3, "Done when": the audit chain verifies, and editing any one stored entry makes
 * `sendwarden audit verify` fail, naming the entry. If this fails, someone with access to the
 * database could rewrite who did what (an unblock, a password reset) without anyone noticing.
 *
 * Fakes: none. A real node (demo tenant seeded, so the log has entries) on a SQLite file; the
 * tampering is raw SQL on that file through a second connection, as an intruder would do it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteRawQuery } from '../support/db.js';
import { startStack, type Stack } from '../support/stack.js';
import { CLI_TEST_TIMEOUT_MS } from '../support/cli.js';

interface Row {
  seq: number;
  at: number;
  actor: string;
  actor_id: string;
  actor_label: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
  key_id: string | null;
}

/** A different value of the same kind: JSON columns get a changed field, not just whitespace. */
function forge(column: keyof Row, original: unknown): unknown {
  if (column === 'at') return Number(original) + 1;
  if (column === 'actor') return JSON.stringify({ ...JSON.parse(String(original)), label: 'nobody@contoso.com' });
  if (column === 'before' || column === 'after')
    return JSON.stringify({ ...(original === null ? {} : JSON.parse(String(original))), forged: true });
  return `${String(original)}x`;
}

let stack: Stack;
let dbFile: string;
const raw = (text: string, params: readonly unknown[] = []) => sqliteRawQuery(dbFile, text, params);
const rows = async () => (await raw('select * from audit_log order by seq')) as Row[];

beforeAll(async () => {
  stack = await startStack({ demo: true });
  dbFile = path.join(stack.dataDir, 'sendwarden.db');
  // The database refuses edits (issue 13); an intruder with write access drops the triggers first.
  await raw('drop trigger audit_log_no_update');
  await raw('drop trigger audit_log_no_delete');
});

afterAll(async () => {
  await stack?.stop();
});

describe('sendwarden audit verify', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('exits 0 with a sentence on an intact log, and 65 naming the entry once one row is edited', async () => {
    const entries = await rows();
    expect(entries.length).toBeGreaterThanOrEqual(6);

    const intact = await stack.cli(['audit', 'verify']);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout.trim()).toMatch(
      new RegExp(
        `^Audit log intact: ${entries.length} entries verified; the newest checkpoint \\(entry ${entries.length}, .+ UTC\\) matches\\.$`,
      ),
    );

    // An intruder rewrites who unblocked whom: one column of one row in the middle.
    const victim = entries[Math.floor(entries.length / 2)]!;
    await raw('update audit_log set target = ? where seq = ?', ['user:someone-else@contoso.com', victim.seq]);
    const broken = await stack.cli(['audit', 'verify']);
    expect(broken.code).toBe(65);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(new RegExp(`^Audit log BROKEN at entry ${victim.seq}: .+\\.\\n$`));

    // Putting the value back makes it verify again: the failure came from that one edit.
    await raw('update audit_log set target = ? where seq = ?', [victim.target, victim.seq]);
    const restored = await stack.cli(['audit', 'verify']);
    expect(restored.code).toBe(0);

    // Removing an entry breaks the chain too.
    await raw('delete from audit_log where seq = ?', [victim.seq]);
    const removed = await stack.cli(['audit', 'verify']);
    expect(removed.code).toBe(65);
    expect(removed.stderr).toMatch(/^Audit log BROKEN at entry \d+: /);
    await raw(
      'insert into audit_log (seq, at, actor, actor_id, actor_label, action, target, before, after, prev_hash, hash, key_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        victim.seq,
        victim.at,
        victim.actor,
        victim.actor_id,
        victim.actor_label,
        victim.action,
        victim.target,
        victim.before,
        victim.after,
        victim.prev_hash,
        victim.hash,
        victim.key_id,
      ],
    );
    expect((await stack.app.audit.verify()).ok).toBe(true);
  });

  it('fails on an edit of any column of any stored entry (checked in-process, every row)', async () => {
    const entries = await rows();
    const columns = [
      'at',
      'actor',
      'actor_id',
      'actor_label',
      'action',
      'target',
      'before',
      'after',
      'prev_hash',
      'hash',
    ] as const;
    const misses: string[] = [];
    for (const [i, entry] of entries.entries()) {
      // Every row gets an edit, and across the rows every column is edited at least once.
      for (const column of [columns[i % columns.length]!, columns[(i + 5) % columns.length]!]) {
        const original = entry[column];
        const forged = forge(column, original);
        await raw(`update audit_log set ${column} = ? where seq = ?`, [forged, entry.seq]);
        const verdict = await stack.app.audit.verify();
        await raw(`update audit_log set ${column} = ? where seq = ?`, [original, entry.seq]);
        if (verdict.ok || verdict.seq !== entry.seq)
          misses.push(`seq ${entry.seq} ${column}: ${JSON.stringify(verdict)}`);
      }
    }
    expect(misses).toEqual([]);
    expect((await stack.app.audit.verify()).ok).toBe(true);
  });
});

/**
 * Issue 13: `sendwarden audit verify` refuses every kind of tampering, on SQLite and PostgreSQL,
 * with a precise sentence and exit 65; an untouched store verifies after a restart. If one of
 * these fails, someone who can write the database (but does not hold SENDWARDEN_SECRET) could
 * remove the newest entries, empty the log or write history of their own, and verify would say
 * "intact".
 *
 * Fakes: none. A real node (demo tenant) writes the log, then stops; every check is the real CLI
 * as a child process. The intruder drops the append-only triggers first, as one with DB write
 * access would, then uses raw SQL on a second connection.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  plainSha256,
  rawAuditDb,
  sha256Row,
  eventOf,
  type AuditRow,
  type RawAuditDb,
} from '../support/audit-tamper.js';
import { CLI_TEST_TIMEOUT_MS, runSendwarden } from '../support/cli.js';
import { createPostgresDatabase } from '../support/db.js';
import { HAS_POSTGRES } from '../support/services.js';
import { startStack } from '../support/stack.js';
import { chainHash } from '../../src/core/audit/chain.js';

const backends = [
  { name: 'sqlite' as const, skip: false },
  { name: 'postgres' as const, skip: !HAS_POSTGRES },
];

describe.each(backends)('audit verify refuses tampering on $name', ({ name, skip }) => {
  describe.skipIf(skip)(name, { timeout: 4 * CLI_TEST_TIMEOUT_MS }, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let raw: RawAuditDb;
    let pristine: AuditRow[];
    let checkpointFile: string;
    let checkpoints: string;
    let dropDb: (() => Promise<void>) | undefined;
    const verify = (extra: Record<string, string> = {}) =>
      runSendwarden(['audit', 'verify'], { ...env, ...extra }, { timeoutMs: 100_000 });
    const n = () => pristine.length;

    /** Runs `tamper`, expects verify to refuse with exactly `sentence`, then puts everything back. */
    async function refuses(tamper: () => Promise<unknown>, sentence: RegExp): Promise<void> {
      await raw.dropTriggers();
      await tamper();
      try {
        const r = await verify();
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(sentence);
        expect(r.code).toBe(65);
      } finally {
        await raw.restore(pristine);
        await writeFile(checkpointFile, checkpoints);
      }
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sw-tamper-'));
      env = { SENDWARDEN_DATA_DIR: dataDir, SENDWARDEN_SECRET: randomBytes(32).toString('hex') };
      if (name === 'postgres') {
        const pg = await createPostgresDatabase();
        dropDb = pg.drop;
        env.DATABASE_URL = pg.url;
      }
      const stack = await startStack({ demo: true, dataDir, env });
      await stack.stop();
      raw = rawAuditDb(name, env.DATABASE_URL ?? path.join(dataDir, 'sendwarden.db'));
      pristine = await raw.rows();
      checkpointFile = path.join(dataDir, 'audit-checkpoints.jsonl');
      checkpoints = await readFile(checkpointFile, 'utf8');
    });

    afterAll(async () => {
      await dropDb?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('the database itself refuses UPDATE and DELETE on the audit log', async () => {
      await expect(raw.query("update audit_log set target = 'user:x' where seq = 1")).rejects.toThrow(/append-only/);
      await expect(raw.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
      if (name === 'postgres') await expect(raw.query('truncate audit_log')).rejects.toThrow(/append-only/);
      expect(await raw.rows()).toEqual(pristine);
    });

    it('an untouched log verifies, also after a restart, with its newest checkpoint', async () => {
      const r = await verify();
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(
        new RegExp(
          `^Audit log intact: ${n()} entries verified; the newest checkpoint \\(entry ${n()}, [0-9-]+ [0-9:]+ UTC\\) matches\\.\\n$`,
        ),
      );
      expect(r.code).toBe(0);
      const again = await startStack({ dataDir, env });
      await again.stop();
      expect((await verify()).code).toBe(0);
      const json = await runSendwarden(['audit', 'verify', '--json'], env, { timeoutMs: 100_000 });
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, entries: n(), problem: null });
    });

    it('an edited entry is named', async () => {
      const seq = Math.floor(n() / 2);
      await refuses(
        () => raw.query("update audit_log set target = 'user:someone-else@contoso.com' where seq = ?", [seq]),
        new RegExp(
          `^Audit log BROKEN at entry ${seq}: entry ${seq} was changed after it was written, or forged \\(its keyed hash does not match\\)\\.\\n$`,
        ),
      );
    });

    it('a deleted middle entry is named', async () => {
      const seq = Math.floor(n() / 2);
      await refuses(
        () => raw.query('delete from audit_log where seq = ?', [seq]),
        new RegExp(
          `^Audit log BROKEN at entry ${seq + 1}: expected entry ${seq}, found ${seq + 1} \\(an entry is missing, was moved or was inserted\\)\\.\\n$`,
        ),
      );
    });

    it('two swapped entries are named', async () => {
      const a = 3;
      await refuses(
        async () => {
          await raw.query('update audit_log set seq = -1 where seq = ?', [a]);
          await raw.query('update audit_log set seq = ? where seq = ?', [a, a + 1]);
          await raw.query('update audit_log set seq = ? where seq = -1', [a + 1]);
        },
        new RegExp(`^Audit log BROKEN at entry ${a}: entry ${a} does not point at the hash of entry ${a - 1}\\.\\n$`),
      );
    });

    it('removed newest entries are reported against the checkpoint', async () => {
      await refuses(
        () => raw.query('delete from audit_log where seq > ?', [n() - 3]),
        new RegExp(
          `^Audit log BROKEN: the log ends at ${n() - 3}; a checkpoint from [0-9-]+ [0-9:]+ UTC says ${n()} entries existed \\(entries ${n() - 2} to ${n()} were removed\\)\\.\\n$`,
        ),
      );
    });

    it('an emptied table is reported against the checkpoint', async () => {
      await refuses(
        () => raw.query('delete from audit_log'),
        new RegExp(
          `^Audit log BROKEN: the log is empty; a checkpoint from [0-9-]+ [0-9:]+ UTC says ${n()} entries existed\\.\\n$`,
        ),
      );
    });

    it('an appended entry hashed the way the chain hashes (without the secret) is named as forged', async () => {
      const head = pristine[n() - 1]!;
      const forged = sha256Row(
        n() + 1,
        head.hash,
        {
          at: new Date(),
          actor: { kind: 'cli', id: 'root', label: 'cli:root' },
          action: 'restriction.unblocked',
          target: 'user:rob@contoso.com',
        },
        head.key_id ?? null,
      );
      await refuses(
        () => raw.insert(forged),
        new RegExp(
          `^Audit log BROKEN at entry ${n() + 1}: entry ${n() + 1} was changed after it was written, or forged \\(its keyed hash does not match\\)\\.\\n$`,
        ),
      );
      await refuses(
        () => raw.insert({ ...forged, key_id: null }),
        new RegExp(
          `^Audit log BROKEN at entry ${n() + 1}: entry ${n() + 1} claims the unkeyed SHA-256 scheme after the log was keyed; it was not written by Sendwarden\\.\\n$`,
        ),
      );
    });

    it('an edit with every later hash recomputed is named at the edited entry', async () => {
      const from = 2;
      await refuses(
        async () => {
          let prev = pristine[from - 2]!.hash;
          for (const row of pristine.slice(from - 1)) {
            const event =
              Number(row.seq) === from ? { ...eventOf(row), target: 'user:mallory@contoso.com' } : eventOf(row);
            const hash = chainHash(plainSha256, prev, Number(row.seq), event);
            await raw.query('update audit_log set target = ?, prev_hash = ?, hash = ? where seq = ?', [
              event.target,
              prev,
              hash,
              row.seq,
            ]);
            prev = hash;
          }
        },
        new RegExp(`^Audit log BROKEN at entry ${from}: entry ${from} was changed after it was written, or forged`),
      );
    });

    it('an edited checkpoint file is reported as edited, never as intact', async () => {
      await refuses(
        async () => {
          const lines = checkpoints.trimEnd().split('\n');
          const last = JSON.parse(lines[lines.length - 1]!) as { seq: number };
          lines[lines.length - 1] = JSON.stringify({ ...last, seq: last.seq + 5 });
          await writeFile(checkpointFile, `${lines.join('\n')}\n`);
        },
        new RegExp(
          `^Audit log NOT VERIFIED: the checkpoint file ${checkpointFile} was edited: line \\d+ \\(entry ${n() + 5}\\) does not carry a valid signature\\.\\n$`,
        ),
      );
    });

    it('a removed checkpoint file is reported as missing, and stays reported', async () => {
      const missing = new RegExp(
        `^Audit log NOT VERIFIED: the checkpoint file ${checkpointFile} is missing \\(removed\\?\\); nothing outside the database vouches for the ${n()} entries\\.\\n$`,
      );
      await refuses(async () => {
        await unlink(checkpointFile);
        // A second CLI start must not quietly start a new file.
        expect((await verify()).stderr).toMatch(missing);
      }, missing);
    });

    it('a wrong SENDWARDEN_SECRET is named as such', async () => {
      await raw.dropTriggers();
      const r = await verify({ SENDWARDEN_SECRET: randomBytes(32).toString('hex') });
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^Audit log NOT VERIFIED: SENDWARDEN_SECRET is not the secret this audit log was written with \(entry 1 carries key [0-9a-f]{16}, this secret gives key [0-9a-f]{16}\)\.\n$/,
      );
      expect(r.code).toBe(65);
      expect((await verify()).code).toBe(0);
    });
  });
});

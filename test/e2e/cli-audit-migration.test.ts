/**
 * Issue 13, "Done when": a store in today's format (schema 3, plain SHA-256 chain) migrates and
 * still verifies: the first start writes a keyed transition entry that pins the old head, and
 * `audit verify` says intact. If this failed, every upgraded installation would report its own
 * audit log as broken (or its old entries could no longer be checked at all).
 *
 * Fakes: none. The old store is built with the real migrations 1 to 3 and rows hashed exactly as
 * the old code did; the check is the real CLI as a child process, on SQLite and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchema3Store, rawAuditDb } from '../support/audit-tamper.js';
import { CLI_TEST_TIMEOUT_MS, runSendwarden } from '../support/cli.js';
import { createPostgresDatabase } from '../support/db.js';
import { HAS_POSTGRES } from '../support/services.js';

const OLD_ENTRIES = 7;

describe.each([
  { name: 'sqlite' as const, skip: false },
  { name: 'postgres' as const, skip: !HAS_POSTGRES },
])('a schema-3 audit log migrates and verifies on $name', ({ name, skip }) => {
  it.skipIf(skip)(
    'seals the old chain with a keyed transition entry and verifies, twice',
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sw-migrate-'));
      const pg = name === 'postgres' ? await createPostgresDatabase() : undefined;
      try {
        const location = pg?.url ?? path.join(dataDir, 'sendwarden.db');
        await buildSchema3Store(name, location, OLD_ENTRIES);
        const env: Record<string, string> = {
          SENDWARDEN_DATA_DIR: dataDir,
          SENDWARDEN_SECRET: randomBytes(32).toString('hex'),
          ...(pg ? { DATABASE_URL: pg.url } : {}),
        };
        const first = await runSendwarden(['audit', 'verify'], env, { timeoutMs: 100_000 });
        expect(first.stderr).toBe('');
        expect(first.stdout).toMatch(
          new RegExp(
            `^Audit log intact: ${OLD_ENTRIES + 1} entries verified; the newest checkpoint \\(entry ${OLD_ENTRIES + 1}, .+ UTC\\) matches\\.\\n$`,
          ),
        );
        expect(first.code).toBe(0);

        const rows = await rawAuditDb(name, location).rows();
        expect(rows).toHaveLength(OLD_ENTRIES + 1);
        expect(rows.slice(0, OLD_ENTRIES).every((r) => r.key_id === null)).toBe(true);
        const transition = rows[OLD_ENTRIES]!;
        expect(transition.action).toBe('audit.chain-keyed');
        expect(JSON.parse(transition.after!)).toEqual({
          legacyEntries: OLD_ENTRIES,
          legacyHead: rows[OLD_ENTRIES - 1]!.hash,
        });
        expect(transition.key_id).toMatch(/^[0-9a-f]{16}$/);

        // A restart adds nothing and still verifies.
        const again = await runSendwarden(['audit', 'verify'], env, { timeoutMs: 100_000 });
        expect(again.code).toBe(0);
        expect(await rawAuditDb(name, location).rows()).toHaveLength(OLD_ENTRIES + 1);
      } finally {
        await pg?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    2 * CLI_TEST_TIMEOUT_MS,
  );
});

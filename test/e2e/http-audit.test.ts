/**
 * Issue 13 over HTTP: GET /api/v1/audit-log/export streams every entry with its hashes and ends
 * with the newest signed checkpoint; POST /api/v1/audit-log/verify answers the verdict for the
 * roles that read the audit log, and is itself audited; a role without audit.read gets 403 and no
 * byte of the log. If this failed, a SIEM could not check what it received, or a helpdesk token
 * could read the log.
 * Fakes: none (a real node on SQLite, or PostgreSQL when DATABASE_URL is in env; real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

let stack: Stack;
let reader: string;
let helpdesk: string;

beforeAll(async () => {
  stack = await startStack({ demo: true });
  reader = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'security-reader' })).secret;
  helpdesk = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'helpdesk' })).secret;
  await stack.app.auditCheckpointer?.flush();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('audit log export and verify over HTTP', () => {
  it('exports every entry as JSON lines with prevHash, hash and keyId, then the signed checkpoint', async () => {
    const res = await fetch(`${stack.httpUrl}/api/v1/audit-log/export`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const entries = lines.filter((l) => l.type === 'entry');
    const checkpoint = lines[lines.length - 1]!;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (const [i, e] of entries.entries()) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.keyId).toMatch(/^[0-9a-f]{16}$/);
      if (i > 0) expect(e.prevHash).toBe(entries[i - 1]!.hash);
    }
    expect(checkpoint).toMatchObject({
      type: 'checkpoint',
      seq: entries.length,
      hash: entries[entries.length - 1]!.hash,
    });
    expect(checkpoint.sig).toMatch(/^[0-9a-f]{64}$/);

    const since = new Date(Date.now() + 60_000).toISOString();
    const csv = await fetch(`${stack.httpUrl}/api/v1/audit-log/export?format=csv&since=${since}`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(csv.status).toBe(200);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'type,seq,at,actor_kind,actor_id,actor,address,action,target,before,after,prev_hash,hash,key_id,signature',
    );
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['"checkpoint"']);
  });

  it('verifies for a security reader and records that it did; a helpdesk token is refused', async () => {
    const v = await stack.http('POST', '/api/v1/audit-log/verify', { token: reader });
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ ok: true, problem: null, brokenEntry: null });
    expect(v.json.message).toMatch(/^Audit log intact: \d+ entries verified; the newest checkpoint/);
    const newest = await stack.app.audit.list(SYSTEM_PRINCIPAL, { limit: 1 });
    expect(newest.items[0]).toMatchObject({ action: 'audit.verified', after: { ok: true, entries: v.json.entries } });

    expect((await stack.http('POST', '/api/v1/audit-log/verify', { token: helpdesk })).status).toBe(403);
    const refused = await fetch(`${stack.httpUrl}/api/v1/audit-log/export`, {
      headers: { authorization: `Bearer ${helpdesk}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('"type":"entry"');
  });
});

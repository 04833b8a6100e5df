/**
 * The verifier's rules on their own, fast: a keyed chain against its newest signed checkpoint.
 * What a user would notice if these failed: `audit verify` says "intact" after the newest entries
 * were removed, the table was emptied, an entry was appended without the secret, or the checkpoint
 * file was edited or removed. Fakes: an in-memory checkpoint file (a port with no backend here).
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/core/audit/audit-event.js';
import { verifyAuditLog } from '../../../src/core/audit/audit-verifier.js';
import { GENESIS_HASH, chainHash, chainKeyId, type ChainKeys } from '../../../src/core/audit/chain.js';
import { formatCheckpoint, signCheckpoint } from '../../../src/core/audit/checkpoint.js';
import type { CheckpointFile } from '../../../src/ports/audit-checkpoints.js';

const hmac = (key: string) => (t: string) => createHmac('sha256', key).update(t).digest('hex');
const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');
const mac = hmac('chain key');
const sign = hmac('checkpoint key');
const keys: ChainKeys = { mac, legacy: sha256, keyId: chainKeyId(mac) };
const eq = (a: string, b: string) => a === b;

function build(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = {
      at: new Date(Date.UTC(2026, 11, 1, 14, seq)),
      actor: { kind: 'cli' as const, id: 'ops', label: 'cli:ops' },
      action: 'user.unlocked',
      target: `user:u${seq}@contoso.com`,
    };
    const hash = chainHash(mac, prev, seq, event);
    out.push({ ...event, seq, prevHash: prev, hash, keyId: keys.keyId });
    prev = hash;
  }
  return out;
}

function file(lines: string[] | null): CheckpointFile {
  return { where: '/data/audit-checkpoints.jsonl', read: async () => lines, append: async () => true };
}

function checkpointOf(e: AuditEntry): string {
  return formatCheckpoint(
    signCheckpoint(sign, { seq: e.seq, hash: e.hash, at: new Date(Date.UTC(2026, 11, 1, 14, 2)) }),
  );
}

async function* each(entries: readonly AuditEntry[]) {
  yield* entries;
}

const verify = (entries: readonly AuditEntry[], lines: string[] | null) =>
  verifyAuditLog({ entries: each(entries), keys, checkpointSign: sign, safeEqual: eq, checkpoints: file(lines) });

describe('audit verify against the newest checkpoint', () => {
  const log = build(373);
  const cp = [checkpointOf(log[99]!), checkpointOf(log[372]!)];

  it('an untouched log with its checkpoint is intact', async () => {
    expect(await verify(log, cp)).toMatchObject({
      ok: true,
      count: 373,
      sentence:
        'Audit log intact: 373 entries verified; the newest checkpoint (entry 373, 2026-12-01 14:02:00 UTC) matches.',
    });
  });

  it('a removed tail is reported with the checkpoint that proves it', async () => {
    expect((await verify(log.slice(0, 370), cp)).sentence).toBe(
      'Audit log BROKEN: the log ends at 370; a checkpoint from 2026-12-01 14:02:00 UTC says 373 entries existed (entries 371 to 373 were removed).',
    );
  });

  it('an emptied table is reported', async () => {
    expect(await verify([], cp)).toMatchObject({
      ok: false,
      problem: 'emptied',
      sentence:
        'Audit log BROKEN: the log is empty; a checkpoint from 2026-12-01 14:02:00 UTC says 373 entries existed.',
    });
  });

  it('an entry appended with plain SHA-256 is named', async () => {
    const head = log[372]!;
    const event = { at: new Date(), actor: head.actor, action: 'x.y', target: 't' };
    const forged = {
      ...event,
      seq: 374,
      prevHash: head.hash,
      hash: chainHash(sha256, head.hash, 374, event),
      keyId: keys.keyId,
    };
    expect(await verify([...log, forged], cp)).toMatchObject({ ok: false, problem: 'chain', seq: 374 });
  });

  it('an edited or missing checkpoint file is reported as such', async () => {
    const edited = [cp[0]!, cp[1]!.replace('"seq":373', '"seq":374')];
    expect((await verify(log, edited)).problem).toBe('checkpoint-edited');
    expect((await verify(log, null)).problem).toBe('checkpoint-missing');
    expect((await verify(log, [])).problem).toBe('checkpoint-missing');
  });

  it('a wrong secret is named, not reported as an edit', async () => {
    const other = hmac('another secret');
    const wrong: ChainKeys = { mac: other, legacy: sha256, keyId: chainKeyId(other) };
    const v = await verifyAuditLog({
      entries: each(log),
      keys: wrong,
      checkpointSign: sign,
      safeEqual: eq,
      checkpoints: file(cp),
    });
    expect(v.problem).toBe('wrong-secret');
    expect(v.sentence).toMatch(
      /^Audit log NOT VERIFIED: SENDWARDEN_SECRET is not the secret this audit log was written with/,
    );
  });
});

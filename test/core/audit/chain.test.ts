import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/core/audit/audit-event.js';
import { GENESIS_HASH, chainHash, verifyChain } from '../../../src/core/audit/chain.js';

const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

function build(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const event = {
      at: new Date(Date.UTC(2026, 10, 22, 10, i)),
      actor: { kind: 'cli' as const, id: 'root', label: 'cli:root' },
      action: 'user.unlocked',
      target: `user:u${i}@contoso.com`,
      after: { lockout: 'cleared' },
    };
    const hash = chainHash(sha256, prev, i, event);
    out.push({ ...event, seq: i, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('an untouched chain verifies', () => {
    expect(verifyChain(sha256, build(5))).toEqual({ ok: true, count: 5 });
  });

  it('editing any one field of any entry breaks it at that entry', () => {
    for (let i = 0; i < 5; i++) {
      const entries = build(5);
      entries[i] = { ...entries[i]!, target: 'user:someone-else@contoso.com' };
      const verdict = verifyChain(sha256, entries);
      expect(verdict).toMatchObject({ ok: false, seq: i + 1 });
    }
  });

  it('removing an entry or reordering breaks it', () => {
    const removed = build(5).filter((e) => e.seq !== 3);
    expect(verifyChain(sha256, removed)).toMatchObject({ ok: false, seq: 4 });
    const swapped = build(3);
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(verifyChain(sha256, swapped).ok).toBe(false);
  });

  it('the hash does not depend on key order of before/after', () => {
    const base = {
      at: new Date(0),
      actor: { kind: 'system' as const, id: 'system', label: 'Sendwarden' },
      action: 'x',
      target: 'y',
    };
    expect(chainHash(sha256, GENESIS_HASH, 1, { ...base, after: { a: 1, b: 2 } })).toBe(
      chainHash(sha256, GENESIS_HASH, 1, { ...base, after: { b: 2, a: 1 } }),
    );
  });
});

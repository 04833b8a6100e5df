/**
 * What a successful sign-in records, on a real SQLite store: the sign-in time to the minute, the
 * place it came from, and the reset of its failure counter. A sign-in within a minute of the recorded
 * one that would change nothing else writes nothing (a mail client that connects for every message
 * used to cost a user write, and an emptied sender cache, per connection); one that changes anything
 * still writes at once. Each case reads the user back from the store, as the portal shows it.
 * Fakes: Clock (FakeClock); passwords hashed with real argon2id at TEST_ARGON2_COST.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../../src/adapters/system/argon2-hasher.js';
import { NodeRandom } from '../../../src/adapters/system/node-random.js';
import { ZxcvbnStrength } from '../../../src/adapters/system/zxcvbn-strength.js';
import { LAST_SIGN_IN_RESOLUTION_MS, SignInService } from '../../../src/core/auth/sign-in.js';
import { DirectoryService } from '../../../src/core/directory/directory-service.js';
import type { User } from '../../../src/core/directory/user.js';
import { cliPrincipal } from '../../../src/core/roles/principal.js';
import { sha256, withSqliteStore, type TestStore } from '../../support/db.js';
import { STRONG, TEST_ARGON2_COST } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';

const PASSWORD = `${STRONG} rob`;
const operator = cliPrincipal('test');

describe('a successful sign-in records its time to the minute', () => {
  let db: TestStore;
  let clock: FakeClock;
  let signIn: SignInService;
  let user: User;

  beforeEach(async () => {
    db = await withSqliteStore();
    clock = new FakeClock();
    const secret = randomBytes(32);
    const hasher = new Argon2Hasher(secret, TEST_ARGON2_COST);
    const uow = db.store.uow;
    const directory = new DirectoryService({
      uow,
      hasher,
      strength: new ZxcvbnStrength(),
      clock,
      random: new NodeRandom(),
      sha256,
    });
    signIn = new SignInService({ uow, hasher, sha256, clock, raiseAlert: async () => undefined });
    user = await directory.addUser(operator, { email: 'rob@contoso.com', displayName: 'Rob', password: PASSWORD });
  });
  afterEach(async () => {
    await db?.cleanup();
  });

  const stored = async (): Promise<User> => {
    const found = await db.store.uow.run((s) => s.users.findById(user.id));
    if (!found) throw new Error('the user is gone');
    return found;
  };
  const smtp = (address: string, password = PASSWORD) =>
    signIn.verifyPassword({ login: 'rob@contoso.com', password, address, channel: 'smtp' });

  it('the first sign-in writes its time and place; a repeat within the minute from that place writes nothing', async () => {
    clock.set('2026-12-04T10:00:00Z');
    await smtp('192.0.2.10');
    const first = await stored();
    expect(first.lastSignInAt?.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(first.lockout.familiarLocations).toEqual(['192.0.2.0/24']);

    clock.advance(LAST_SIGN_IN_RESOLUTION_MS - 1000);
    const again = await smtp('192.0.2.10');
    expect(again.id).toBe(user.id);
    expect((await stored()).lastSignInAt?.toISOString()).toBe('2026-12-04T10:00:00.000Z');

    clock.advance(1000);
    await smtp('192.0.2.10');
    expect((await stored()).lastSignInAt?.toISOString()).toBe('2026-12-04T10:01:00.000Z');
  });

  it('within the minute, a sign-in from another place or after a wrong password still writes at once', async () => {
    clock.set('2026-12-04T10:00:00Z');
    await smtp('192.0.2.10');

    clock.advance(5000);
    await smtp('198.51.100.7');
    const moved = await stored();
    expect(moved.lastSignInAt?.toISOString()).toBe('2026-12-04T10:00:05.000Z');
    expect(moved.lockout.familiarLocations).toEqual(['198.51.100.0/24', '192.0.2.0/24']);

    clock.advance(5000);
    await expect(smtp('198.51.100.7', 'not the password')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await stored()).lockout.familiar.failures).toBe(1);
    clock.advance(5000);
    await smtp('198.51.100.7');
    const reset = await stored();
    expect(reset.lockout.familiar.failures).toBe(0);
    expect(reset.lockout.recentWrongFingerprints).toEqual([]);
    expect(reset.lastSignInAt?.toISOString()).toBe('2026-12-04T10:00:15.000Z');

    // Back at the first place: it becomes the most recent familiar one again, so this writes too.
    clock.advance(5000);
    await smtp('192.0.2.10');
    expect((await stored()).lockout.familiarLocations).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
  });

  it('Dovecot reports follow the same rule', async () => {
    clock.set('2026-12-04T10:00:00Z');
    expect(await signIn.reportExternalSuccess({ login: 'rob@contoso.com', address: '192.0.2.10' })).toBe(true);
    clock.advance(30_000);
    expect(await signIn.reportExternalSuccess({ login: 'rob@contoso.com', address: '192.0.2.10' })).toBe(true);
    expect((await stored()).lastSignInAt?.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    clock.advance(30_000);
    expect(await signIn.reportExternalSuccess({ login: 'rob@contoso.com', address: '192.0.2.10' })).toBe(true);
    expect((await stored()).lastSignInAt?.toISOString()).toBe('2026-12-04T10:01:00.000Z');
  });

  it('a clock that went back (the recorded time is in the future) writes the new time', async () => {
    clock.set('2026-12-04T10:00:00Z');
    await smtp('192.0.2.10');
    clock.set('2026-12-04T09:59:30Z');
    await smtp('192.0.2.10');
    expect((await stored()).lastSignInAt?.toISOString()).toBe('2026-12-04T09:59:30.000Z');
  });
});

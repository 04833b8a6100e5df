import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/core/errors.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, principal } from '../support/core-services.js';

// Fakes: FakeClock only (test/support/fake-clock.ts). Store, hasher, strength and counters are real.

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(isDomainError(err) ? err.code : err).toBe(code);
    return err as Error;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

describe.each(backends)('directory services on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('adds a user, refuses a duplicate address (also as an alias), and audits the add', async () => {
    const rob = await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'Rob@Contoso.com',
      displayName: 'Rob Young',
      aliases: ['robert@contoso.com'],
    });
    expect(rob.email).toBe('rob@contoso.com');
    await expectCode(
      s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Other' }),
      'USER_EXISTS',
    );
    await expectCode(
      s.directory.addUser(GLOBAL_ADMIN, { email: 'x@contoso.com', displayName: 'X', aliases: ['ROBERT@contoso.com'] }),
      'USER_EXISTS',
    );
    await expectCode(s.directory.addUser(GLOBAL_ADMIN, { email: 'not an address', displayName: 'X' }), 'INVALID_EMAIL');
    const log = await s.audit.list(GLOBAL_ADMIN, {});
    expect(log.items.map((e) => e.action)).toContain('user.created');
    expect((await s.audit.verify()).ok).toBe(true);
  });

  it('a reset password is shown once, works for sign-in, and is stored nowhere in clear', async () => {
    await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob Young' });
    const { temporaryPassword, user } = await s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com');
    expect(user.mustChangePassword).toBe(true);
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const signedIn = await s.signIn.verifyPassword({
      login: 'rob@contoso.com',
      password: temporaryPassword,
      address: '192.0.2.1',
      channel: 'portal',
    });
    expect(signedIn.id).toBe(user.id);
    const dump =
      JSON.stringify(await t.rawQuery('SELECT * FROM audit_log')) +
      JSON.stringify(await t.rawQuery('SELECT * FROM users'));
    expect(dump).not.toContain(temporaryPassword);
  });

  it('refuses weak passwords and the last 5 passwords', async () => {
    await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob Young' });
    await expectCode(
      s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com', { password: 'password1234' }),
      'WEAK_PASSWORD',
    );
    const strong = 'lantern orbit cactus meadow';
    await s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com', { password: strong });
    await s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com');
    const err = await expectCode(
      s.directory.resetPassword(GLOBAL_ADMIN, 'rob@contoso.com', { password: strong }),
      'PASSWORD_REUSED',
    );
    expect(err.message).toContain('5');
  });

  it('helpdesk may reset a user but not an admin; a user admin may not grant roles', async () => {
    await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob Young' });
    await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'boss@contoso.com',
      displayName: 'Boss',
      roles: ['security-admin'],
    });
    const helpdesk = principal(['helpdesk']);
    await s.directory.resetPassword(helpdesk, 'rob@contoso.com');
    await expectCode(s.directory.resetPassword(helpdesk, 'boss@contoso.com'), 'FORBIDDEN');
    await expectCode(s.directory.setSignInStatus(helpdesk, 'rob@contoso.com', true), 'FORBIDDEN');
    await expectCode(
      s.directory.addUser(principal(['user-admin']), {
        email: 'eve@contoso.com',
        displayName: 'Eve',
        roles: ['global-admin'],
      }),
      'FORBIDDEN',
    );
  });

  it('blocking sign-in refuses the right password and revokes app passwords; allowing restores it', async () => {
    const rob = await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'rob@contoso.com',
      displayName: 'Rob Young',
      password: 'lantern orbit cactus meadow',
    });
    const { secret } = await s.appPasswords.create(rob.id, 'Thunderbird');
    expect(
      (
        await s.signIn.verifyPassword({
          login: 'rob@contoso.com',
          password: secret,
          address: '192.0.2.1',
          channel: 'smtp',
        })
      ).id,
    ).toBe(rob.id);
    await expectCode(
      s.signIn.verifyPassword({ login: 'rob@contoso.com', password: secret, address: '192.0.2.1', channel: 'portal' }),
      'AUTH_FAILED',
    );
    await s.directory.setSignInStatus(GLOBAL_ADMIN, 'rob@contoso.com', true);
    await expectCode(
      s.signIn.verifyPassword({
        login: 'rob@contoso.com',
        password: 'lantern orbit cactus meadow',
        address: '192.0.2.1',
        channel: 'smtp',
      }),
      'SIGN_IN_BLOCKED',
    );
    expect(await s.appPasswords.list(rob.id)).toHaveLength(0);
    await s.directory.setSignInStatus(GLOBAL_ADMIN, 'rob@contoso.com', false);
    expect(
      (
        await s.signIn.verifyPassword({
          login: 'rob@contoso.com',
          password: 'lantern orbit cactus meadow',
          address: '192.0.2.1',
          channel: 'smtp',
        })
      ).id,
    ).toBe(rob.id);
  });

  it("blocking an admin's sign-in also revokes the API tokens they created", async () => {
    const boss = await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'boss@contoso.com',
      displayName: 'Boss',
      roles: ['global-admin'],
    });
    const asBoss = {
      actor: { kind: 'user' as const, id: boss.id, label: boss.email },
      roles: boss.roles,
      userId: boss.id,
    };
    const { secret } = await s.tokens.create(asBoss, { role: 'security-reader' });
    const cli = await s.tokens.create(GLOBAL_ADMIN, { role: 'security-reader' });
    expect((await s.tokens.verify(secret, null)).roles).toEqual(['security-reader']);
    await s.directory.setSignInStatus(GLOBAL_ADMIN, boss.email, true);
    await expect(s.tokens.verify(secret, null)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect((await s.tokens.verify(cli.secret, null)).roles).toEqual(['security-reader']);
  });

  it('smart lockout through sign-in: 10 failures lock, an alert is raised, admin unlock clears it', async () => {
    await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'rob@contoso.com',
      displayName: 'Rob Young',
      password: 'lantern orbit cactus meadow',
    });
    for (let i = 0; i < 9; i++)
      await expectCode(
        s.signIn.verifyPassword({
          login: 'rob@contoso.com',
          password: `wrong-${i}`,
          address: '203.0.113.9',
          channel: 'smtp',
        }),
        'AUTH_FAILED',
      );
    await expectCode(
      s.signIn.verifyPassword({
        login: 'rob@contoso.com',
        password: 'wrong-9',
        address: '203.0.113.9',
        channel: 'smtp',
      }),
      'ACCOUNT_LOCKED',
    );
    await expectCode(
      s.signIn.verifyPassword({
        login: 'rob@contoso.com',
        password: 'lantern orbit cactus meadow',
        address: '203.0.113.9',
        channel: 'smtp',
      }),
      'ACCOUNT_LOCKED',
    );
    expect(s.notified.map((a) => a.type)).toContain('account-locked');
    const locked = await s.directory.listUsers(GLOBAL_ADMIN, { lockedAt: s.clock.now() });
    expect(locked.items.map((u) => u.email)).toEqual(['rob@contoso.com']);
    await s.directory.unlock(principal(['helpdesk']), 'rob@contoso.com');
    expect(
      (
        await s.signIn.verifyPassword({
          login: 'rob@contoso.com',
          password: 'lantern orbit cactus meadow',
          address: '203.0.113.9',
          channel: 'smtp',
        })
      ).email,
    ).toBe('rob@contoso.com');
  });

  it('the lockout ends by itself after 60 s', async () => {
    await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'rob@contoso.com',
      displayName: 'Rob Young',
      password: 'lantern orbit cactus meadow',
    });
    for (let i = 0; i < 10; i++)
      await s.signIn
        .verifyPassword({ login: 'rob@contoso.com', password: `bad-${i}`, address: '203.0.113.9', channel: 'portal' })
        .catch(() => undefined);
    s.clock.advance(59_000);
    await expectCode(
      s.signIn.verifyPassword({
        login: 'rob@contoso.com',
        password: 'lantern orbit cactus meadow',
        address: '203.0.113.9',
        channel: 'portal',
      }),
      'ACCOUNT_LOCKED',
    );
    s.clock.advance(1_000);
    expect(
      (
        await s.signIn.verifyPassword({
          login: 'rob@contoso.com',
          password: 'lantern orbit cactus meadow',
          address: '203.0.113.9',
          channel: 'portal',
        })
      ).email,
    ).toBe('rob@contoso.com');
  });

  it('imports 10,000 rows with per-row errors, nothing half-imported, dry run changes nothing', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      line: i + 2,
      email: `user${i}@contoso.com`,
      displayName: `User ${i}`,
      aliases: [`u${i}@contoso.com`],
      groups: ['Staff'],
    }));
    rows.push({ line: 10_002, email: 'broken', displayName: 'Broken', aliases: [], groups: [] });
    rows.push({ line: 10_003, email: 'dup@contoso.com', displayName: 'Dup', aliases: ['u5@contoso.com'], groups: [] });
    const dry = await s.directory.importUsers(GLOBAL_ADMIN, rows, { dryRun: true });
    expect(dry).toMatchObject({ imported: 10_000, dryRun: true });
    expect((await s.directory.listUsers(GLOBAL_ADMIN, {})).total).toBe(0);
    const progress: number[] = [];
    const report = await s.directory.importUsers(GLOBAL_ADMIN, rows, {
      dryRun: false,
      onProgress: (done) => progress.push(done),
    });
    expect(report.imported).toBe(10_000);
    expect(report.rejected.map((r) => [r.line, r.code])).toEqual([
      [10_002, 'INVALID_EMAIL'],
      [10_003, 'USER_EXISTS'],
    ]);
    expect(progress.at(-1)).toBe(10_000);
    expect((await s.directory.listUsers(GLOBAL_ADMIN, { search: 'user9999@' })).total).toBe(1);
    expect((await s.directory.listUsers(GLOBAL_ADMIN, { search: 'dup@' })).total).toBe(0);
  });
});

/**
 * Token, session and self-service reset rules, on a real SQLite store.
 * Fakes: Clock (FakeClock), Mailer (CollectingMailer); everything else is real. Passwords are hashed
 * with real argon2id at TEST_ARGON2_COST, except in the session test, which runs at production cost.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../../src/adapters/system/argon2-hasher.js';
import { NodeRandom } from '../../../src/adapters/system/node-random.js';
import { ZxcvbnStrength } from '../../../src/adapters/system/zxcvbn-strength.js';
import { OtpauthTotp } from '../../../src/adapters/totp/otpauth-totp.js';
import { SelfServiceReset } from '../../../src/core/auth/self-service-reset.js';
import { SessionService } from '../../../src/core/auth/session-service.js';
import { SignInService } from '../../../src/core/auth/sign-in.js';
import { TokenService } from '../../../src/core/auth/token-service.js';
import { DirectoryService } from '../../../src/core/directory/directory-service.js';
import { isDomainError } from '../../../src/core/errors.js';
import { cliPrincipal } from '../../../src/core/roles/principal.js';
import { sha256, withSqliteStore, type TestStore } from '../../support/db.js';
import { STRONG, TEST_ARGON2_COST } from '../../support/builders.js';
import { CollectingMailer, testComposer } from '../../support/core-services.js';
import { FakeClock } from '../../support/fake-clock.js';

const HOUR = 3600_000;
const operator = cliPrincipal('test');

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (isDomainError(err)) return err.code;
    throw err;
  }
}

describe('auth services', () => {
  let db: TestStore;
  let clock: FakeClock;
  let mailer: CollectingMailer;
  let directory: DirectoryService;
  let tokens: TokenService;
  let sessions: SessionService;
  let reset: SelfServiceReset;
  let totp: OtpauthTotp;

  /** Wires the services on the test's store with `hasher`. */
  function wire(secret: Buffer, hasher: Argon2Hasher): void {
    const random = new NodeRandom();
    const uow = db.store.uow;
    totp = new OtpauthTotp(secret);
    directory = new DirectoryService({
      uow,
      hasher,
      strength: new ZxcvbnStrength(),
      clock,
      random,
      sha256,
    });
    const signIn = new SignInService({ uow, hasher, sha256, clock, raiseAlert: async () => undefined });
    tokens = new TokenService({ uow, clock, random, sha256 });
    sessions = new SessionService({ uow, clock, random, sha256, totp, signIn });
    reset = new SelfServiceReset({ uow, clock, random, sha256, mailer, composer: testComposer, totp, directory });
  }

  beforeEach(async () => {
    db = await withSqliteStore();
    clock = new FakeClock();
    mailer = new CollectingMailer();
    const secret = randomBytes(32);
    wire(secret, new Argon2Hasher(secret, TEST_ARGON2_COST));
  });
  afterEach(async () => {
    await db?.cleanup();
  });

  it('a token works until it expires or is revoked; malformed bearers are TOKEN_INVALID', async () => {
    const { token, secret } = await tokens.create(operator, { role: 'helpdesk', expiresInDays: 1 });
    expect(secret).toMatch(/^sw_[0-9a-f]{24}_[0-9a-f]{64}$/);
    expect(token.hash).not.toContain(secret.split('_')[2]);
    expect((await tokens.verify(secret, null)).roles).toEqual(['helpdesk']);
    for (const bad of [
      '',
      'sw_',
      `${secret}x`,
      secret.replace('sw_', 'SW_'),
      `sw_${'0'.repeat(24)}_${'0'.repeat(64)}`,
    ]) {
      expect(await code(tokens.verify(bad, null))).toBe('TOKEN_INVALID');
    }
    clock.advance(24 * HOUR);
    expect(await code(tokens.verify(secret, null))).toBe('TOKEN_INVALID');
    const other = await tokens.create(operator, { role: 'security-admin' });
    await tokens.revoke(operator, other.token.id);
    expect(await code(tokens.verify(other.secret, null))).toBe('TOKEN_INVALID');
    expect(await code(tokens.create({ ...operator, roles: ['security-admin'] }, { role: 'global-admin' }))).toBe(
      'FORBIDDEN',
    );
  });

  it('a session dies after 24 h however busy, and at once when the user is reset (securityEpoch)', async () => {
    const secret = randomBytes(32);
    wire(secret, new Argon2Hasher(secret));
    const user = await directory.addUser(operator, {
      email: 'rob@contoso.com',
      displayName: 'Rob',
      password: `${STRONG} rob`,
    });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const s1 = await sessions.signIn({
      email: user.email,
      password: `${STRONG} rob`,
      address: '10.0.0.1',
      userAgent: null,
    });
    for (let i = 0; i < 4; i++) {
      clock.advance(6 * HOUR - 1000);
      expect(await code(sessions.authenticate(s1.cookie))).toBe('ok');
    }
    clock.advance(5000);
    expect(await code(sessions.authenticate(s1.cookie))).toBe('UNAUTHENTICATED');
    const s2 = await sessions.signIn({
      email: user.email,
      password: `${STRONG} rob`,
      address: '10.0.0.1',
      userAgent: null,
    });
    expect(await code(sessions.authenticate(s2.cookie))).toBe('ok');
    expect(await code(sessions.authenticate(`${s2.session.id}.${'0'.repeat(64)}`))).toBe('UNAUTHENTICATED');
    await directory.resetPassword(operator, user.email, {});
    expect(await code(sessions.authenticate(s2.cookie))).toBe('UNAUTHENTICATED');
  });

  it('an admin may postpone TOTP enrolment for 14 days after the first sign-in, not after', async () => {
    const admin = await directory.addUser(operator, {
      email: 'megan@contoso.com',
      displayName: 'Megan',
      roles: ['security-admin'],
      password: `${STRONG} megan`,
    });
    const first = await sessions.signIn({
      email: admin.email,
      password: `${STRONG} megan`,
      address: null,
      userAgent: null,
    });
    expect(first.session.mfaDone).toBe(false);
    expect((await sessions.postponeEnrolment(first, null)).session.mfaDone).toBe(true);
    clock.advance(14 * 24 * HOUR);
    const late = await sessions.signIn({
      email: admin.email,
      password: `${STRONG} megan`,
      address: null,
      userAgent: null,
    });
    expect(late.user.totpDeadline?.getTime()).toBe(first.user.totpDeadline?.getTime());
    expect(await code(sessions.postponeEnrolment(late, null))).toBe('TOTP_REQUIRED');
  });

  it('a TOTP code is accepted once: the same code again (a replay) is refused, the next step works', async () => {
    const admin = await directory.addUser(operator, {
      email: 'megan@contoso.com',
      displayName: 'Megan',
      roles: ['security-admin'],
      password: `${STRONG} megan`,
    });
    const signIn = () =>
      sessions.signIn({ email: admin.email, password: `${STRONG} megan`, address: null, userAgent: null });
    const first = await signIn();
    const secret = sessions.enrolment(first).secret;
    await sessions.enrolTotp(first, OtpauthTotp.codeAt(secret, clock.now()), null);
    const second = await signIn();
    expect(await code(sessions.verifyTotp(second, OtpauthTotp.codeAt(secret, clock.now()), null))).toBe('TOTP_INVALID');
    clock.advance(30_000);
    expect((await sessions.verifyTotp(second, OtpauthTotp.codeAt(secret, clock.now()), null)).session.mfaDone).toBe(
      true,
    );
    const third = await signIn();
    expect(await code(sessions.verifyTotp(third, OtpauthTotp.codeAt(secret, clock.now()), null))).toBe('TOTP_INVALID');
  });

  describe('self-service reset', () => {
    const send = async (email: string) => {
      const before = mailer.sent.length;
      await reset.start(email, null);
      return mailer.sent
        .slice(before)
        .map((n) => /Your code: (\d+)/.exec(n.text)?.[1])
        .find(Boolean);
    };

    it('sends at most 3 codes per hour, each valid 15 minutes', async () => {
      await directory.addUser(operator, {
        email: 'rob@contoso.com',
        displayName: 'Rob',
        alternateEmail: 'rob@home.example',
        password: `${STRONG} rob`,
      });
      const first = await send('rob@contoso.com');
      expect(first).toMatch(/^\d{8}$/);
      expect(await send('ROB@contoso.com')).toBeDefined();
      const third = await send('rob@contoso.com');
      expect(await send('rob@contoso.com')).toBeUndefined();
      clock.advance(15 * 60_000);
      expect(
        await code(reset.complete({ email: 'rob@contoso.com', code: third, newPassword: `${STRONG} new` }, null)),
      ).toBe('RESET_CODE_INVALID');
      clock.advance(HOUR);
      expect(await send('rob@contoso.com')).toBeDefined();
    });

    it('5 wrong attempts spend the code, even for the right one afterwards; a weak password leaves it usable', async () => {
      await directory.addUser(operator, {
        email: 'rob@contoso.com',
        displayName: 'Rob',
        alternateEmail: 'rob@home.example',
        password: `${STRONG} rob`,
      });
      const right = (await send('rob@contoso.com'))!;
      expect(await code(reset.complete({ email: 'rob@contoso.com', code: right, newPassword: 'short' }, null))).toBe(
        'WEAK_PASSWORD',
      );
      const wrong = right === '00000000' ? '11111111' : '00000000';
      for (let i = 0; i < 5; i++)
        expect(
          await code(reset.complete({ email: 'rob@contoso.com', code: wrong, newPassword: `${STRONG} new` }, null)),
        ).toBe('RESET_CODE_INVALID');
      expect(
        await code(reset.complete({ email: 'rob@contoso.com', code: right, newPassword: `${STRONG} new` }, null)),
      ).toBe('TOO_MANY_ATTEMPTS');
    });

    it('admins need the code and a TOTP code; unknown addresses look like a wrong code', async () => {
      const admin = await directory.addUser(operator, {
        email: 'megan@contoso.com',
        displayName: 'Megan',
        roles: ['helpdesk'],
        alternateEmail: 'megan@home.example',
        password: `${STRONG} megan`,
      });
      const secret = totp.generateSecret();
      await db.store.uow.run(async (s) =>
        s.users.update({ ...(await s.users.findById(admin.id))!, totpSecret: secret }),
      );
      const c = (await send('megan@contoso.com'))!;
      expect(
        await code(reset.complete({ email: 'megan@contoso.com', code: c, newPassword: `${STRONG} new` }, null)),
      ).toBe('TOTP_REQUIRED');
      expect(
        await code(
          reset.complete(
            {
              email: 'megan@contoso.com',
              code: c,
              totp: OtpauthTotp.codeAt(secret, clock.now()),
              newPassword: `${STRONG} new`,
            },
            null,
          ),
        ),
      ).toBe('ok');
      expect(
        await code(reset.complete({ email: 'nobody@contoso.com', code: c, newPassword: `${STRONG} new` }, null)),
      ).toBe('RESET_CODE_INVALID');
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';

// Fakes: FakeClock only (test/support/fake-clock.ts). Store, hasher, strength and counters are real.

const ROB_PASSWORD = 'lantern orbit cactus meadow rob';

describe.each(backends)('app passwords on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let robId: string;
  let meganId: string;
  const smtp = (password: string, login = 'rob@contoso.com') =>
    s.signIn.verifyPassword({ login, password, address: '192.0.2.10', channel: 'smtp' });

  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
    s.clock.set('2026-11-23T09:00:00Z');
    robId = (
      await s.directory.addUser(GLOBAL_ADMIN, {
        email: 'rob@contoso.com',
        displayName: 'Rob Young',
        password: ROB_PASSWORD,
      })
    ).id;
    meganId = (
      await s.directory.addUser(GLOBAL_ADMIN, {
        email: 'megan@contoso.com',
        displayName: 'Megan Bowen',
        password: 'walrus teapot glacier violin megan',
      })
    ).id;
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('a new app password signs in to SMTP but never to the portal, and is stored nowhere in clear', async () => {
    const { appPassword, secret } = await s.appPasswords.create(robId, '  Outlook on the phone ');
    expect(appPassword.name).toBe('Outlook on the phone');
    expect(secret).toMatch(/^\w{20}$/);
    expect((await smtp(secret)).id).toBe(robId);
    await expect(
      s.signIn.verifyPassword({ login: 'rob@contoso.com', password: secret, address: '192.0.2.10', channel: 'portal' }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    // Mail clients often show it grouped: dashes and spaces are ignored.
    expect((await smtp(secret.replace(/(\w{5})(?=\w)/g, '$1-'))).id).toBe(robId);
    const dump = JSON.stringify(await t.rawQuery('SELECT * FROM app_passwords'));
    expect(dump).not.toContain(secret);
    const audit = (await s.audit.list(GLOBAL_ADMIN, { action: 'app-password.created' })).items[0]!;
    expect(audit.actor).toMatchObject({ kind: 'user', label: 'rob@contoso.com' });
    expect(audit.after).toEqual({ name: 'Outlook on the phone' });
  });

  it('the list shows each password by name, and when it was last used for SMTP', async () => {
    const phone = await s.appPasswords.create(robId, 'Phone');
    await s.appPasswords.create(robId, 'Laptop');
    await expect(s.appPasswords.create(robId, 'phone')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(s.appPasswords.create(robId, '   ')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    let list = await s.appPasswords.list(robId);
    expect(list.map((a) => [a.name, a.lastUsedAt])).toEqual(
      expect.arrayContaining([
        ['Phone', null],
        ['Laptop', null],
      ]),
    );
    s.clock.set('2026-11-23T10:30:00Z');
    await smtp(phone.secret);
    list = await s.appPasswords.list(robId);
    expect(list.find((a) => a.name === 'Phone')?.lastUsedAt?.toISOString()).toBe('2026-11-23T10:30:00.000Z');
    expect(list.find((a) => a.name === 'Laptop')?.lastUsedAt).toBeNull();
  });

  it('a revoked app password no longer signs in; the other one and the real password still do', async () => {
    const phone = await s.appPasswords.create(robId, 'Phone');
    const laptop = await s.appPasswords.create(robId, 'Laptop');
    await s.appPasswords.revoke(robId, phone.appPassword.id);
    await expect(smtp(phone.secret)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await smtp(laptop.secret)).id).toBe(robId);
    expect((await smtp(ROB_PASSWORD)).id).toBe(robId);
    expect((await s.appPasswords.list(robId)).map((a) => a.name)).toEqual(['Laptop']);
    await expect(s.appPasswords.revoke(robId, phone.appPassword.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const audit = (await s.audit.list(GLOBAL_ADMIN, { action: 'app-password.revoked' })).items[0]!;
    expect(audit.before).toEqual({ name: 'Phone' });
  });

  it("another user's app password id is NOT_FOUND, and stays usable by its owner", async () => {
    const megans = await s.appPasswords.create(meganId, 'Tablet');
    await expect(s.appPasswords.revoke(robId, megans.appPassword.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await smtp(megans.secret, 'megan@contoso.com')).id).toBe(meganId);
    // Rob cannot sign in as rob with Megan's app password either.
    await expect(smtp(megans.secret)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('an operator acting for the user is the audited actor', async () => {
    const operator = GLOBAL_ADMIN.actor;
    const { appPassword } = await s.appPasswords.create(robId, 'Printer', operator);
    await s.appPasswords.revoke(robId, appPassword.id, operator);
    const entries = (await s.audit.list(GLOBAL_ADMIN, {})).items.filter((e) => e.action.startsWith('app-password.'));
    expect(entries.map((e) => `${e.action} ${e.actor.label} ${e.target}`).sort()).toEqual([
      `app-password.created ${operator.label} user:rob@contoso.com`,
      `app-password.revoked ${operator.label} user:rob@contoso.com`,
    ]);
  });
});

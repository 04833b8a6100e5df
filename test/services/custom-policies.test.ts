import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/core/directory/user.js';
import { matchPolicy } from '../../src/core/policy/policy-match.js';
import { backends, type TestStore } from '../support/db.js';
import { GLOBAL_ADMIN, coreServices, principal } from '../support/core-services.js';

// Fakes: FakeClock only (test/support/fake-clock.ts). Store, counters, restrictions and Submission are real.

const SECURITY = principal(['security-admin']);
const READER = principal(['security-reader']);

describe.each(backends)('custom outbound spam policies on $name', (backend) => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let rob: User;
  let megan: User;
  let alex: User;

  const add = (email: string, groups: string[] = []) =>
    s.directory.addUser(GLOBAL_ADMIN, { email, displayName: email.split('@')[0]!, groups });
  /** One message to n external recipients, one RCPT TO at a time, as the gateway asks. */
  const sendExternal = async (user: User, n: number) => {
    const accepted: string[] = [];
    const decisions = [];
    for (let i = 1; i <= n; i++) {
      const to = `client${i}@fabrikam.com`;
      const d = await s.submission.checkRecipient(
        { user, clientAddress: '198.51.100.7', mailFrom: user.email, accepted },
        to,
      );
      if (d.kind === 'accept') accepted.push(to);
      decisions.push(d);
    }
    return decisions;
  };
  const salesPolicy = {
    name: 'Sales',
    priority: 10,
    scope: { groups: ['Sales'] },
    limits: { externalPerHour: 2 },
    action: 'restrict' as const,
  };

  beforeEach(async (ctx) => {
    if (backend.skip) ctx.skip();
    t = await backend.open();
    s = coreServices(t);
    s.clock.set('2026-11-23T09:00:00Z');
    rob = await add('rob@contoso.com', ['Sales']);
    megan = await add('megan@contoso.com');
    alex = await add('alex@contoso.com', ['sales']);
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('a Sales policy (2 external per hour, restrict) restricts rob at his 3rd external recipient; megan stays under the default', async () => {
    const created = await s.policyAdmin.createCustom(SECURITY, salesPolicy);
    expect(created).toMatchObject({ name: 'Sales', isDefault: false, priority: 10, action: 'restrict' });
    // Settings not given come from the default policy.
    expect(created.limits).toMatchObject({ externalPerHour: 2, internalPerHour: 1000, perDay: 2000 });

    const robs = await sendExternal(rob, 3);
    expect(robs.map((d) => d.kind)).toEqual(['accept', 'accept', 'restrict']);
    expect(robs[2]).toMatchObject({ code: 'SENDER_RESTRICTED' });
    expect((robs[2] as { reason: string }).reason).toContain('rob@contoso.com is restricted');
    const restriction = await s.restrictions.activeRestriction(rob.id);
    expect(restriction).toMatchObject({ kind: 'until-unblocked', evidence: { limit: 2 } });

    expect((await sendExternal(megan, 3)).map((d) => d.kind)).toEqual(['accept', 'accept', 'accept']);
    expect(await s.restrictions.activeRestriction(megan.id)).toBeUndefined();
  });

  it('the lowest priority that matches wins, whatever order the policies were made in', async () => {
    await s.policyAdmin.createCustom(SECURITY, salesPolicy);
    const vip = await s.policyAdmin.createCustom(SECURITY, {
      name: 'Alex',
      priority: 5,
      scope: { users: ['Alex@Contoso.com'] },
      limits: { externalPerHour: 1 },
      action: 'restrict',
    });
    // alex is in sales (group names match case-insensitively) and named by "Alex": priority 5 is matched first.
    expect((await sendExternal(alex, 2)).map((d) => d.kind)).toEqual(['accept', 'restrict']);
    expect(await s.restrictions.activeRestriction(alex.id)).toMatchObject({ evidence: { limit: 1 } });

    const listed = await s.policyAdmin.list(READER);
    expect(listed.map((p) => p.name)).toEqual(['Alex', 'Sales', 'Default']);
    await s.policyAdmin.updateCustom(SECURITY, vip.id, { priority: 20 });
    const reordered = await s.policyAdmin.list(READER);
    expect(reordered.map((p) => p.name)).toEqual(['Sales', 'Alex', 'Default']);
    expect(matchPolicy(reordered, alex).name).toBe('Sales');
    expect(matchPolicy(reordered, megan).name).toBe('Default');
  });

  it('refuses bad input with a sentence naming the field', async () => {
    await s.policyAdmin.createCustom(SECURITY, salesPolicy);
    const bad = async (input: Record<string, unknown>, code: string, text: string | RegExp) => {
      const err = await s.policyAdmin
        .createCustom(SECURITY, { ...salesPolicy, name: 'Other', priority: 11, ...input } as typeof salesPolicy)
        .then(
          () => undefined,
          (e: unknown) => e as { code: string; message: string },
        );
      expect(err?.code, JSON.stringify(input)).toBe(code);
      expect(err?.message).toMatch(text);
    };
    await bad({ name: '  ' }, 'INVALID_INPUT', 'name of 1 to 64 characters');
    await bad({ name: 'x'.repeat(65) }, 'INVALID_INPUT', 'name of 1 to 64 characters');
    await bad({ name: 'sales' }, 'INVALID_INPUT', 'already a policy named "sales"');
    await bad({ name: 'DEFAULT' }, 'INVALID_INPUT', 'already a policy named');
    await bad({ priority: 10 }, 'INVALID_INPUT', 'Priority 10 is already used by the policy "Sales"');
    await bad({ priority: -1 }, 'INVALID_INPUT', 'priority must be a whole number from 0');
    await bad({ priority: 2.5 }, 'INVALID_INPUT', 'priority must be a whole number');
    await bad({ scope: {} }, 'INVALID_INPUT', 'at least one user, group or domain');
    await bad({ scope: { users: [], groups: [' '] } }, 'INVALID_INPUT', 'scope.groups');
    await bad({ scope: { users: ['not an address'] } }, 'INVALID_EMAIL', '"not an address" is not a valid email');
    await bad({ scope: { domains: ['no_domain'] } }, 'INVALID_EMAIL', 'scope.domains');
    await bad({ limits: { externalPerHour: -1 } }, 'INVALID_INPUT', 'externalPerHour must be a whole number');
    await bad({ action: 'bounce' }, 'INVALID_INPUT', 'action must be one of');
    await expect(s.policyAdmin.createCustom(READER, { ...salesPolicy, name: 'R', priority: 1 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await s.policyAdmin.list(READER)).map((p) => p.name)).toEqual(['Sales', 'Default']);
  });

  it('normalises the scope, audits changes with before and after, and never deletes the default', async () => {
    const p = await s.policyAdmin.createCustom(SECURITY, {
      name: ' Partners ',
      priority: 0,
      scope: { users: [' Rob@Contoso.com', 'rob@contoso.com'], domains: ['@Fabrikam.COM'], groups: ['Sales', 'sales'] },
    });
    expect(p.name).toBe('Partners');
    expect(p.scope).toEqual({ users: ['rob@contoso.com'], groups: ['Sales'], domains: ['fabrikam.com'] });

    const changed = await s.policyAdmin.updateCustom(SECURITY, 'partners', {
      limits: { perDay: 50 },
      scope: { domains: ['fabrikam.com'] },
    });
    expect(changed).toMatchObject({ id: p.id, name: 'Partners', priority: 0, limits: { perDay: 50 } });
    expect(changed.scope).toEqual({ users: [], groups: [], domains: ['fabrikam.com'] });
    const update = (await s.audit.list(GLOBAL_ADMIN, { action: 'policy.updated' })).items[0]!;
    expect(update.target).toBe('policy:Partners');
    expect(update.before).toMatchObject({ limits: { perDay: 2000 }, scope: { users: ['rob@contoso.com'] } });
    expect(update.after).toMatchObject({ limits: { perDay: 50 }, scope: { users: [] } });

    const defaultId = (await s.policyAdmin.get(READER)).id;
    await expect(s.policyAdmin.deleteCustom(SECURITY, defaultId)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('default policy cannot be deleted'),
    });
    await expect(s.policyAdmin.deleteCustom(SECURITY, 'Default')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(s.policyAdmin.updateCustom(SECURITY, defaultId, { priority: 3 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(s.policyAdmin.deleteCustom(SECURITY, 'nothing-like-this')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const deleted = await s.policyAdmin.deleteCustom(SECURITY, p.id);
    expect(deleted.name).toBe('Partners');
    expect((await s.policyAdmin.list(READER)).map((x) => x.name)).toEqual(['Default']);
    const log = await s.audit.list(GLOBAL_ADMIN, {});
    const created = log.items.find((e) => e.action === 'policy.created')!;
    expect(created.after).toMatchObject({ name: 'Partners', priority: 0 });
    const removed = log.items.find((e) => e.action === 'policy.deleted')!;
    expect(removed.target).toBe('policy:Partners');
    expect(removed.after ?? null).toBeNull();
    expect(removed.before).toMatchObject({ name: 'Partners', limits: { perDay: 50 } });
    expect((await s.audit.verify()).ok).toBe(true);
  });
});

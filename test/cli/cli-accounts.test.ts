/**
 * `users app-password ...` and `policy list|add|remove` through the real command parser (runCli),
 * in process, on a real SQLite store wired by createCoreServices (as main.ts's cliServices does).
 * Fakes: FakeClock and CollectingMailer (test/support/core-services.ts); Output collects the lines
 * a person would see. CliServices members these commands never call throw if reached.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/adapters/cli/cli.js';
import type { CliContext, CliServices } from '../../src/adapters/cli/cli-context.js';
import { cliPrincipal } from '../../src/core/roles/principal.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';
import { withSqliteStore, type TestStore } from '../support/db.js';

describe('CLI: app passwords and custom policies', () => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let out: string[];
  let err: string[];
  const principal = cliPrincipal('ops');
  const unused = () => Promise.reject(new Error('not used by these commands'));
  const cli = async (...argv: string[]) => {
    out = [];
    err = [];
    const services: CliServices = {
      directory: s.directory,
      restrictions: s.restrictions,
      evidence: s.evidence,
      policyAdmin: s.policyAdmin,
      whatIf: s.whatIf,
      audit: s.audit,
      appPasswords: s.appPasswords,
      createToken: unused,
      listOutbox: unused,
      restartCheckpoints: unused,
      addDomain: unused,
      listDomains: unused,
      demoHijack: unused,
      close: async () => undefined,
    };
    const ctx: CliContext = {
      principal,
      output: { out: (l) => out.push(l), err: (l) => err.push(l), isTty: false },
      version: '0.0.0-test',
      open: async () => services,
      serve: unused,
      deployment: () => {
        throw new Error('not used here');
      },
    };
    return runCli(argv, ctx);
  };

  beforeEach(async () => {
    t = await withSqliteStore();
    s = coreServices(t);
    await s.directory.addUser(GLOBAL_ADMIN, {
      email: 'rob@contoso.com',
      displayName: 'Rob Young',
      groups: ['Sales'],
      password: 'lantern orbit cactus meadow rob',
    });
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('app-password add prints the password once; list shows it by name; revoke ends it', async () => {
    expect(await cli('users', 'app-password', 'add', 'rob@contoso.com', '--name', 'Phone', '--json')).toBe(0);
    const { password } = JSON.parse(out.join('\n')) as { password: string };
    expect(
      (await s.signIn.verifyPassword({ login: 'rob@contoso.com', password, address: null, channel: 'smtp' })).email,
    ).toBe('rob@contoso.com');
    expect(await cli('users', 'app-password', 'list', 'rob@contoso.com', '--json')).toBe(0);
    const items = JSON.parse(out.join('\n')) as { id: string; name: string; lastUsedAt: string | null }[];
    expect(items).toMatchObject([{ name: 'Phone', lastUsedAt: s.clock.now().toISOString() }]);
    expect(out.join('\n')).not.toContain(password);

    expect(await cli('users', 'app-password', 'list', 'rob@contoso.com')).toBe(0);
    expect(out[0]).toMatch(/^ID\s+NAME\s+CREATED\s+LAST USED$/);

    expect(await cli('users', 'app-password', 'revoke', 'rob@contoso.com', items[0]!.id)).toBe(0);
    expect(out).toEqual([
      `App password ${items[0]!.id} of rob@contoso.com revoked; mail clients using it can no longer sign in.`,
    ]);
    await expect(
      s.signIn.verifyPassword({ login: 'rob@contoso.com', password, address: null, channel: 'smtp' }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(await cli('users', 'app-password', 'revoke', 'rob@contoso.com', items[0]!.id)).toBe(66);
    expect(err).toEqual(['error: There is no such app password. (NOT_FOUND)']);
    const audit = (await s.audit.list(GLOBAL_ADMIN, { action: 'app-password' })).items;
    expect(audit.map((e) => e.actor.label)).toEqual(['cli:ops', 'cli:ops']);
  });

  it('policy set changes the spam window and score threshold too, within their bounds', async () => {
    expect(
      await cli('policy', 'set', '--spam-verdicts', '2', '--spam-window-minutes', '30', '--spam-score-threshold', '7'),
    ).toBe(0);
    expect(err).toEqual([]);
    const saved = await s.policyAdmin.get(GLOBAL_ADMIN);
    expect([saved.spamVerdictsToRestrict, saved.spamWindowMinutes, saved.spamScoreThreshold]).toEqual([2, 30, 7]);
    expect(await cli('policy', 'show')).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^spam verdicts that restrict\s+2 in 30 min$/));
    expect(out).toContainEqual(expect.stringMatching(/^spam score threshold\s+7$/));

    expect(await cli('policy', 'set', '--spam-window-minutes', '20000')).toBe(65);
    expect(err[0]).toContain('spamWindowMinutes must be a whole number from 1 to 10080.');
    expect(await cli('policy', 'set', '--spam-score-threshold', '0')).toBe(65);
    expect(await cli('policy', 'set', '--spam-score-threshold', '7.5')).toBe(65);
    expect(err[0]).toContain('--spam-score-threshold must be a whole number, not "7.5".');
    // Nothing of the refused changes was saved.
    const after = await s.policyAdmin.get(GLOBAL_ADMIN);
    expect([after.spamWindowMinutes, after.spamScoreThreshold]).toEqual([30, 7]);
  });

  it('policy add, list and remove a custom policy; the default cannot be removed', async () => {
    const added = await cli(
      'policy',
      'add',
      '--name',
      'Sales',
      '--priority',
      '10',
      '--groups',
      'Sales',
      '--users',
      'Megan@Contoso.com,alex@contoso.com',
      '--external-per-hour',
      '2',
      '--action',
      'restrict',
    );
    expect(err).toEqual([]);
    expect(added).toBe(0);
    expect(out).toEqual([
      'Policy "Sales" added with priority 10 for users megan@contoso.com,alex@contoso.com; groups Sales: external 2/h, internal 1000/h, 2000/day, action restrict.',
    ]);
    expect(await cli('policy', 'list')).toBe(0);
    expect(out[0]).toMatch(/^PRIORITY\s+NAME\s+APPLIES TO\s+EXTERNAL\/H/);
    expect(out[1]).toMatch(
      /^10\s+Sales\s+users megan@contoso.com,alex@contoso.com; groups Sales\s+2\s+1000\s+2000\s+restrict/,
    );
    expect(out[2]).toMatch(/^default\s+Default\s+everyone else\s+500\s+/);
    expect(await cli('policy', 'list', '--json')).toBe(0);
    expect(
      (JSON.parse(out.join('\n')) as { name: string; priority: number | null }[]).map((p) => [p.name, p.priority]),
    ).toEqual([
      ['Sales', 10],
      ['Default', null],
    ]);

    expect(await cli('policy', 'add', '--name', 'Nobody', '--priority', '3')).toBe(65);
    expect(err[0]).toContain('Give --users, --groups or --domains');
    expect(await cli('policy', 'add', '--name', 'Other', '--priority', '10', '--domains', 'fabrikam.com')).toBe(65);
    expect(err[0]).toContain('Priority 10 is already used by the policy "Sales"');
    expect(await cli('policy', 'remove', 'Default')).toBe(65);
    expect(err[0]).toContain('The default policy cannot be deleted');

    expect(await cli('policy', 'remove', 'sales')).toBe(0);
    expect(out).toEqual(['Policy "Sales" removed; its users now fall under the next matching policy or the default.']);
    expect((await s.policyAdmin.list(GLOBAL_ADMIN)).map((p) => p.name)).toEqual(['Default']);
  });
});

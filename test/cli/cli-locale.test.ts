/**
 * Language and time zone of a user's email (issue 16) through the real command parser (runCli), in
 * process, on a real SQLite store wired by createCoreServices: `users add --language --time-zone`,
 * the CSV import's language and time zone columns (a bad row is named by its line), and the API's
 * validation through the same core rules (test/e2e/stack-email-language.test.ts covers HTTP).
 * Fakes: FakeClock and CollectingMailer; Output collects the lines a person would see.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/adapters/cli/cli.js';
import type { CliContext, CliServices } from '../../src/adapters/cli/cli-context.js';
import { cliPrincipal } from '../../src/core/roles/principal.js';
import { GLOBAL_ADMIN, coreServices } from '../support/core-services.js';
import { withSqliteStore, type TestStore } from '../support/db.js';

describe('CLI: a language and time zone per user', () => {
  let t: TestStore;
  let s: ReturnType<typeof coreServices>;
  let dir: string;
  let out: string[];
  let err: string[];
  const unused = () => Promise.reject(new Error('not used by these commands'));
  const cli = async (...argv: string[]) => {
    out = [];
    err = [];
    const services = {
      directory: s.directory,
      restrictions: s.restrictions,
      policyAdmin: s.policyAdmin,
      whatIf: s.whatIf,
      evidence: s.evidence,
      audit: s.audit,
      appPasswords: s.appPasswords,
      createToken: unused,
      listOutbox: unused,
      restartCheckpoints: unused,
      addDomain: unused,
      listDomains: unused,
      demoHijack: unused,
      close: async () => undefined,
    } as CliServices;
    const ctx: CliContext = {
      principal: cliPrincipal('ops'),
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
    dir = await mkdtemp(path.join(os.tmpdir(), 'sw-locale-'));
  });
  afterEach(async () => {
    await t?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores --language and --time-zone, and refuses others with exit 65 naming the choices', async () => {
    expect(
      await cli(
        'users',
        'add',
        'sanne@contoso.com',
        '--name',
        'Sanne',
        '--language',
        'NL',
        '--time-zone',
        'europe/amsterdam',
      ),
    ).toBe(0);
    const sanne = await s.directory.getUser(GLOBAL_ADMIN, 'sanne@contoso.com');
    expect({ language: sanne.language, timeZone: sanne.timeZone }).toEqual({
      language: 'nl',
      timeZone: 'Europe/Amsterdam',
    });
    expect(await cli('users', 'add', 'hans@contoso.com', '--name', 'Hans', '--language', 'de')).toBe(65);
    expect(err.join('\n')).toContain('"de" is not a language Sendwarden speaks. Languages: en, fr, nb, nl, ro.');
    expect(await cli('users', 'add', 'hans@contoso.com', '--name', 'Hans', '--time-zone', 'Mars/Olympus')).toBe(65);
    expect(err.join('\n')).toContain('"Mars/Olympus" is not an IANA time zone');
    expect(await cli('users', 'list', '--json')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toContainEqual(
      expect.objectContaining({ email: 'sanne@contoso.com', language: 'nl', timeZone: 'Europe/Amsterdam' }),
    );
  });

  it('imports the language and time zone columns and names the bad row', async () => {
    const file = path.join(dir, 'users.csv');
    await writeFile(
      file,
      [
        'email,name,aliases,groups,alternate email,language,time zone',
        'ana@contoso.com,Ana,,,,ro,Europe/Bucharest',
        'ola@contoso.com,Ola,,,,nb,',
        'max@contoso.com,Max,,,,de,Europe/Berlin',
        'kim@contoso.com,Kim,,,,en,Moon/Base',
      ].join('\n'),
    );
    expect(await cli('users', 'import', file)).toBe(65);
    expect(err).toContainEqual(expect.stringMatching(/^line 4: max@contoso\.com: "de" is not a language/));
    expect(err).toContainEqual(
      expect.stringMatching(/^line 5: kim@contoso\.com: "Moon\/Base" is not an IANA time zone/),
    );
    const ana = await s.directory.getUser(GLOBAL_ADMIN, 'ana@contoso.com');
    expect([ana.language, ana.timeZone]).toEqual(['ro', 'Europe/Bucharest']);
    const ola = await s.directory.getUser(GLOBAL_ADMIN, 'ola@contoso.com');
    expect([ola.language, ola.timeZone]).toEqual(['nb', null]);
  });

  it('lets a user set their own and clear it back to the organisation default, audited', async () => {
    const rob = await s.directory.addUser(GLOBAL_ADMIN, { email: 'rob@contoso.com', displayName: 'Rob' });
    const self = { actor: { kind: 'user' as const, id: rob.id, label: rob.email }, roles: [], userId: rob.id };
    expect((await s.directory.updateOwnLocale(self, { language: 'fr', timeZone: 'Europe/Paris' })).language).toBe('fr');
    const cleared = await s.directory.updateOwnLocale(self, { language: null });
    expect([cleared.language, cleared.timeZone]).toEqual([null, 'Europe/Paris']);
    await expect(s.directory.updateOwnLocale(self, { timeZone: '+01:00' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'timeZone' },
    });
    const audit = await s.audit.list(GLOBAL_ADMIN, { action: 'user.locale-changed' });
    expect(audit.items.map((e) => e.after)).toEqual(
      expect.arrayContaining([{ language: 'fr', timeZone: 'Europe/Paris' }, { language: null }]),
    );
  });
});

/**
 * The CLI's outside contract (contract.md, "CLI"): exit codes a script can branch on, one
 * sentence on stderr a person can act on, `users import` with per-line errors, a summary and
 * nothing imported on --dry-run, and the documented --json shapes. If this fails, a helpdesk
 * script silently does the wrong thing, or a bulk import half-applies.
 *
 * Fakes: none. A real node (demo tenant) in this process; the CLI as a child process on its store.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';
import { CLI_TEST_TIMEOUT_MS } from '../support/cli.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ demo: true });
});

afterAll(async () => {
  await stack?.stop();
});

const emailsMatching = async (search: string) =>
  (await stack.app.directory.listUsers(SYSTEM_PRINCIPAL, { search, limit: 50 })).items.map((u) => u.email);

describe('CLI errors and exit codes', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('an unknown user exits 66 with a sentence naming the user', async () => {
    const r = await stack.cli(['users', 'reset-password', 'nobody@contoso.com']);
    expect(r.code).toBe(66);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*nobody@contoso\.com.*\(USER_NOT_FOUND\)\n$/);
  });

  it('an unknown flag exits 64 (usage) and names the flag', async () => {
    const r = await stack.cli(['users', 'list', '--colour']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown option '--colour'");
  });
});

describe('users import', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('reports each bad row on stderr, a summary on stdout, exits 65; --dry-run imports nothing', async () => {
    const csv = path.join(stack.dataDir, 'users.csv');
    await writeFile(
      csv,
      [
        'email,name,aliases,groups,alternate email',
        'pat@contoso.com,Pat Kim,p.kim@contoso.com,Sales;IT,pat@example.net',
        'not-an-address,Broken Row,,,',
        'quinn@contoso.com,Quinn Lee,,Finance,',
        'rob@contoso.com,Rob Again,,,',
        'ria@contoso.com,Ria Das,,,',
      ].join('\n') + '\n',
    );

    const dry = await stack.cli(['users', 'import', csv, '--dry-run']);
    expect(dry.code).toBe(65);
    expect(dry.stdout.trim()).toBe('Dry run: would import 3 of 5 users; 2 rejected.');
    expect(dry.stderr).toMatch(/^line 3: not-an-address: .+$/m);
    expect(dry.stderr).toMatch(/^line 5: rob@contoso\.com: .+$/m);
    expect(await emailsMatching('pat@')).toEqual([]);
    expect(await emailsMatching('quinn@')).toEqual([]);

    const real = await stack.cli(['users', 'import', csv]);
    expect(real.code).toBe(65);
    expect(real.stdout.trim()).toBe('Imported 3 of 5 users; 2 rejected.');
    const errorLines = real.stderr.split('\n').filter((l) => /^line \d+: /.test(l));
    expect(errorLines).toHaveLength(2);
    expect(errorLines[0]).toMatch(/^line 3: not-an-address: .+/);
    expect(errorLines[1]).toMatch(/^line 5: rob@contoso\.com: .+/);

    const pat = (await stack.app.directory.listUsers(SYSTEM_PRINCIPAL, { search: 'pat@', limit: 5 })).items;
    expect(pat.map((u) => [u.email, u.displayName, u.aliases, u.groups, u.alternateEmail])).toEqual([
      ['pat@contoso.com', 'Pat Kim', ['p.kim@contoso.com'], ['Sales', 'IT'], 'pat@example.net'],
    ]);
    expect(await emailsMatching('quinn@')).toEqual(['quinn@contoso.com']);
    expect(await emailsMatching('ria@')).toEqual(['ria@contoso.com']);
    // The duplicate row did not touch the existing rob.
    const rob = await stack.app.directory.getUser(SYSTEM_PRINCIPAL, 'rob@contoso.com');
    expect(rob.displayName).toBe('Rob Young');
  });
});

describe('--json shapes (contract.md)', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('reset-password --json prints {"temporaryPassword"} and nothing else on stdout', async () => {
    const r = await stack.cli(['users', 'reset-password', 'megan@contoso.com', '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['temporaryPassword']);
    expect(body['temporaryPassword']).toEqual(expect.stringMatching(/^\S{12,}$/));
  });

  it('tokens create --json prints {"token"}, and that token reads the users API', async () => {
    const r = await stack.cli(['tokens', 'create', '--role', 'security-reader', '--json']);
    expect(r.code).toBe(0);
    const { token } = JSON.parse(r.stdout) as { token: string };
    expect(token).toEqual(expect.any(String));

    const users = await stack.http('GET', '/api/v1/users?search=rob', { token });
    expect(users.status).toBe(200);
    expect((users.json.items as { email: string }[]).map((u) => u.email)).toEqual(['rob@contoso.com']);

    const without = await stack.http('GET', '/api/v1/users?search=rob');
    expect(without.status).toBe(401);
    const wrong = await stack.http('GET', '/api/v1/users?search=rob', { token: `${token}x` });
    expect(wrong.status).toBe(401);
  });
});

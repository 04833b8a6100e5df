/**
 * Issue 4, "See it happen": against a node started with --demo, `sendwarden demo hijack
 * rob@contoso.com` submits spam as rob over real SMTP, prints one line per message, and ends
 * with the `550 5.1.8` line once the policy restricts him; rob then shows up in `restricted
 * list`. If this fails, a newcomer's first try of the product shows nothing happening.
 *
 * Fakes: none. The node runs in this process (demo tenant, default policy); the CLI is a child
 * process that reaches the in-process gateway through the port in its environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { CLI_TEST_TIMEOUT_MS } from '../support/cli.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ demo: true });
});

afterAll(async () => {
  await stack?.stop();
});

describe('sendwarden demo hijack', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('prints a line per message, ends with 550 5.1.8, and rob is then a restricted user', async () => {
    const before = await stack.cli(['restricted', 'list', '--search', 'rob', '--json']);
    expect(JSON.parse(before.stdout)).toEqual([]);

    const run = await stack.cli(['demo', 'hijack', 'rob@contoso.com'], { timeoutMs: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const steps = run.stdout.split('\n').filter((l) => /^#\s*\d+ to /.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    steps.forEach((line, i) =>
      expect(line).toMatch(new RegExp(`^#\\s*${i + 1} to victim${i + 1}@example\\.org\\s+\\d{3} `)),
    );
    expect(steps.at(-1)).toMatch(/ 550 5\.1\.8 Access denied, bad outbound sender\s+<- restricted$/);
    for (const line of steps.slice(0, -1)) expect(line).not.toContain('5.1.8');
    expect(run.stdout).toContain('rob@contoso.com is now restricted from sending.');
    expect(run.stdout).toContain('npx sendwarden restricted unblock rob@contoso.com --yes');

    const after = await stack.cli(['restricted', 'list', '--search', 'rob', '--json']);
    expect(after.code).toBe(0);
    const rows = JSON.parse(after.stdout) as { email: string; reason: string }[];
    expect(rows.map((r) => r.email)).toEqual(['rob@contoso.com']);
    expect(rows[0]!.reason).not.toBe('');
  });
});

/**
 * Issue 11, SMTP AUTH rules: a login that names no account is locked out exactly like a real
 * one (the replies must not tell an attacker which addresses exist), and a temporary password
 * an admin set with "require change" does not open SMTP until the user changed it.
 *
 * Fakes: none. A real node (test/support/stack.ts), SMTP over real sockets with STARTTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient } from '../support/smtp-client.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.addUser('rob@contoso.com');
  await stack.addUser('alex@contoso.com');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** 14 distinct wrong passwords, 3 per connection (the 4th AUTH on a connection would close it). */
async function wrongPasswords(login: string): Promise<string[]> {
  const replies: string[] = [];
  for (let c = 0; replies.length < 14; c++) {
    const client = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 20_000 });
    replies.push(await client.signIn(login, `wrong-${c}-0`));
    for (let i = 1; i < 3 && replies.length < 14; i++) replies.push(await client.authPlain(login, `wrong-${c}-${i}`));
    client.destroy();
  }
  return replies;
}

describe('lockout without enumeration', () => {
  it(
    'locks an unknown address by the same rules and with the same replies as a real one',
    { timeout: 120_000 },
    async () => {
      const real = await wrongPasswords('rob@contoso.com');
      const missing = await wrongPasswords('nobody@contoso.com');
      const expected = [
        ...Array(9).fill('535 5.7.8 Authentication credentials invalid'),
        ...Array(5).fill('454 4.7.0 Account temporarily locked, try again later'),
      ];
      expect(real).toEqual(expected);
      expect(missing).toEqual(expected);
      // Nothing was created in the store for the unknown address.
      expect(await stack.app.store.uow.run((s) => s.users.findByAddress('nobody@contoso.com'))).toBeUndefined();
    },
  );
});

describe('temporary passwords', () => {
  it('refuses a "require change" password at SMTP AUTH with 535 5.7.8, and accepts it once changed', async () => {
    const user = await stack.app.store.uow.run((s) => s.users.findByAddress('alex@contoso.com'));
    const { temporaryPassword } = await stack.app.directory.resetPassword(SYSTEM_PRINCIPAL, user!.id, {
      mustChangePassword: true,
    });
    const first = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 20_000 });
    expect(await first.signIn('alex@contoso.com', temporaryPassword)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
    first.destroy();
    // Once a password without "require change" is set (as when the user changed it), SMTP opens.
    const chosen = await stack.setPassword('alex@contoso.com', 'a brand new passphrase 77');
    const second = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 20_000 });
    expect(await second.signIn('alex@contoso.com', chosen)).toMatch(/^235 /);
    second.destroy();
  });
});

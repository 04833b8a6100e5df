/**
 * Issue 4, "Done when": 50 parallel connections of one user against a limit of 30 external
 * recipients per hour (action "restrict"): exactly 30 recipients are accepted, never one more,
 * repeated with a fresh user per round. If this fails, a hijacked account with many connections
 * slips spam past the limit (the check and the count are not one atomic step).
 *
 * Fakes: none. The whole node in this process (SQLite, in-process counters, capture outbox);
 * 50 real TLS + AUTH sessions per round from this process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const CONNECTIONS = 50;
const LIMIT = 30;
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ demo: true });
  // Only the external-per-hour limit is under test: the per-minute message throttle (default 30)
  // would otherwise also stop the 31st message and hide an overshoot of the recipient count.
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, {
    limits: { externalPerHour: LIMIT, messagesPerMinute: 1000 },
    action: 'restrict',
  });
});

afterAll(async () => {
  await stack?.stop();
});

interface Outcome {
  readonly rcpt: string;
  readonly final: string | undefined;
}

/** One connection: STARTTLS, AUTH, one message to one outside recipient; every reply kept. */
async function sendOne(email: string, password: string, n: number): Promise<Outcome> {
  const client = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 30_000 });
  try {
    const auth = await client.signIn(email, password);
    if (!auth.startsWith('235')) throw new Error(`AUTH failed for connection ${n}: ${auth}`);
    const to = [`r${n}@fabrikam.com`];
    const r = await client.sendMail(email, to, simpleMessage(email, to, `parallel-${n}`, `Message number ${n}.`));
    if (!r.mail.startsWith('250')) return { rcpt: r.mail, final: undefined };
    return { rcpt: r.rcpt[0]!, final: r.final ?? r.data };
  } finally {
    await client.quit();
  }
}

describe('50 parallel connections of one user, limit 30 external recipients per hour', () => {
  it.each([1, 2, 3])(
    'round %i: exactly 30 recipients accepted, the rest 550 5.1.8, and only 250s were delivered',
    async (round) => {
      const { email, password } = await stack.addUser(`burst${round}@contoso.com`);
      const started = Date.now();
      const outcomes = await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => sendOne(email, password, n)));
      const elapsed = Date.now() - started;

      const rcptAccepted = outcomes.filter((o) => o.rcpt.startsWith('250'));
      const refused = outcomes.filter((o) => !o.rcpt.startsWith('250'));
      expect(rcptAccepted).toHaveLength(LIMIT);
      expect(new Set(refused.map((o) => o.rcpt))).toEqual(new Set([RESTRICTED]));

      // Every message whose recipient was counted within the limit is sent, even when the
      // restriction (fired by another session's 31st recipient) landed before its DATA ended.
      for (const o of rcptAccepted) expect(o.final).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
      for (const o of refused) expect(o.final).toBeUndefined();
      const inOutbox = (await stack.app.outbox!.list()).filter((m) => m.from === email);
      expect(inOutbox).toHaveLength(LIMIT);

      const restricted = await stack.app.restrictions.listRestricted(SYSTEM_PRINCIPAL, email);
      expect(restricted.map((r) => r.user.email)).toEqual([email]);
      expect(elapsed).toBeLessThan(30_000);
    },
    60_000,
  );
});

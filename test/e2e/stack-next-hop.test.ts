/**
 * Issue 4, "Done when": killing the next hop mid-run loses nothing. Every message the client saw
 * `250` for is in the next hop's mailbox; every other one got `451 4.4.1 Next hop unavailable,
 * try again later` (so the client keeps it and retries); there is no 250 without delivery. If
 * this fails, mail a user was told is sent silently disappears when the relay crashes.
 *
 * Fakes: none. The node runs in this process with SENDWARDEN_RELAY pointing at a real SMTP sink
 * (test/support/smtp-sink.ts) that the test kills while four sessions keep sending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { STRONG } from '../support/builders.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const SENDER = 'sam@contoso.com';
const SESSIONS = 4;
const PER_SESSION = 10;
const KILL_AFTER = 12;
const UNAVAILABLE = '451 4.4.1 Next hop unavailable, try again later';

let sink: SmtpSink;
let stack: Stack;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startStack({ env: { SENDWARDEN_RELAY: sink.url } });
  await stack.addUser(SENDER);
  // 40 messages in a few seconds: the per-minute throttle is not what this test is about.
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, { limits: { messagesPerMinute: 1000 } });
});

afterAll(async () => {
  await stack?.stop();
  await sink?.close();
});

interface Sent {
  readonly tag: string;
  readonly reply: string;
}

/** One session sending PER_SESSION messages one after another; each message carries a unique tag. */
async function session(s: number, password: string): Promise<Sent[]> {
  const client = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 30_000 });
  const out: Sent[] = [];
  try {
    expect(await client.signIn(SENDER, password)).toMatch(/^235 /);
    for (let i = 0; i < PER_SESSION; i++) {
      const tag = `kill-run-s${s}-m${i}`;
      const to = [`colleague${s}x${i}@contoso.com`];
      const r = await client.sendMail(SENDER, to, simpleMessage(SENDER, to, tag, `Status note ${tag}.`));
      out.push({ tag, reply: r.final ?? r.data ?? (r.rcpt.length > 0 ? r.rcpt.join(' | ') : r.mail) });
    }
  } finally {
    await client.quit();
  }
  return out;
}

describe('next hop killed mid-run', () => {
  it('every 250 is in the sink, every other message got 451 4.4.1', { timeout: 90_000 }, async () => {
    const running = Promise.all(Array.from({ length: SESSIONS }, (_, s) => session(s, STRONG)));
    await sink.waitFor(KILL_AFTER);
    await sink.kill();
    const sent = (await running).flat();
    expect(sent).toHaveLength(SESSIONS * PER_SESSION);

    const delivered = new Set(
      sink.messages.filter((m) => m.from === SENDER).map((m) => /^Subject: (\S+)/m.exec(m.raw.toString('utf8'))?.[1]),
    );
    const accepted = sent.filter((m) => m.reply.startsWith('250'));
    const others = sent.filter((m) => !m.reply.startsWith('250'));
    for (const m of accepted) expect(m.reply).toMatch(/^250 2\.0\.0 Ok: queued as \S+$/);
    // No 250 without delivery.
    expect(accepted.filter((m) => !delivered.has(m.tag)).map((m) => m.tag)).toEqual([]);
    // Everything else is a temporary failure the client retries later.
    expect(new Set(others.map((m) => m.reply))).toEqual(new Set([UNAVAILABLE]));
    // The kill really happened mid-run: some got through before it, some did not.
    expect(accepted.length).toBeGreaterThanOrEqual(KILL_AFTER - SESSIONS);
    expect(others.length).toBeGreaterThan(0);
  });
});

/**
 * Issue 17, "Done when": real mail goes through the gateway for several users; a what-if with a
 * lower limit then names exactly the users, rules and times that the same policy restricts when
 * it is saved and the same mail is sent again. If this fails, an admin previewing a change sees
 * someone else restricted, or at another time, than the change really restricts.
 *
 * Fakes: the Clock only (FakeClock, so both passes happen at exactly the same instants). Two
 * whole nodes run in this process, one after the other, each on a fresh SQLite folder, with
 * real SMTP and real HTTP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { FakeClock } from '../support/fake-clock.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const outside = (n: number) => `person${n}@fabrikam.com`;
const PROPOSAL = { limits: { externalPerHour: 5 } };

/** Who sends how many external recipients when (UTC, 2026-11-20): alice crosses 5 at 08:10, carol at 08:50. */
const SCRIPT: readonly { at: string; user: string; recipients: number }[] = [
  { at: '08:00', user: 'alice', recipients: 3 },
  { at: '08:05', user: 'bob', recipients: 2 },
  { at: '08:10', user: 'alice', recipients: 3 },
  { at: '08:15', user: 'carol', recipients: 4 },
  { at: '08:20', user: 'alice', recipients: 3 },
  { at: '08:40', user: 'bob', recipients: 2 },
  { at: '08:50', user: 'carol', recipients: 4 },
  { at: '10:30', user: 'bob', recipients: 1 },
];
const day = (hhmm: string) => `2026-11-20T${hhmm}:00.000Z`;

const stacks: Stack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.stop();
});

/** A node with alice, bob and carol, and an admin token for the API. */
async function node(clock: FakeClock) {
  const stack = await startStack({ clock });
  stacks.push(stack);
  const passwords = new Map<string, string>();
  for (const user of ['alice', 'bob', 'carol']) {
    const email = `${user}@contoso.com`;
    await stack.addUser(email);
    passwords.set(user, await stack.setPassword(email));
  }
  const token = (await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' })).secret;
  return { stack, passwords, token };
}

/** Sends SCRIPT through the gateway at its times; returns every RCPT reply by user. */
async function sendScript(stack: Stack, clock: FakeClock, passwords: Map<string, string>) {
  const replies = new Map<string, string[]>();
  let n = 0;
  for (const step of SCRIPT) {
    clock.set(day(step.at));
    const email = `${step.user}@contoso.com`;
    const client = await SmtpTestClient.connect(stack.smtpPort);
    try {
      expect(await client.signIn(email, passwords.get(step.user) ?? '')).toMatch(/^235 /);
      const to = Array.from({ length: step.recipients }, () => outside(++n));
      const sent = await client.sendMail(email, to, simpleMessage(email, to, `Report ${n}`, `Figures for week ${n}.`));
      replies.set(step.user, [...(replies.get(step.user) ?? []), ...sent.rcpt]);
    } finally {
      await client.quit();
    }
  }
  await stack.app.flushMessages();
  return replies;
}

describe('what-if names the users and times the saved policy restricts', { timeout: 180_000 }, () => {
  it('replays the real log with 5 external per hour and agrees with the live engine to the second', async () => {
    // Pass 1: the default policy (500 external per hour) lets everything through.
    const clock1 = new FakeClock(day('07:00'));
    const first = await node(clock1);
    const replies1 = await sendScript(first.stack, clock1, first.passwords);
    for (const rs of replies1.values()) for (const r of rs) expect(r).toMatch(/^250 /);

    clock1.set(day('12:00'));
    const preview = await first.stack.http('POST', '/api/v1/policies/outbound-spam/what-if', {
      token: first.token,
      body: { ...PROPOSAL, days: 1 },
    });
    expect(preview.status).toBe(200);
    const report = preview.json;
    expect(report.rowsReplayed).toBe(SCRIPT.length);
    expect(report.isEmpty).toBe(false);
    expect(report.isTruncated).toBe(false);
    const predicted = report.users
      .filter((u: { firstRestriction: unknown }) => u.firstRestriction !== null)
      .map((u: { email: string; change: string; firstRestriction: { at: string; rule: string; summary: string } }) => ({
        email: u.email,
        change: u.change,
        at: u.firstRestriction.at,
        rule: u.firstRestriction.rule,
        summary: u.firstRestriction.summary,
      }));
    expect(predicted).toEqual([
      {
        email: 'alice@contoso.com',
        change: 'new',
        at: day('08:10'),
        rule: 'external-per-hour',
        summary: '6 external recipients in the last hour; limit 5',
      },
      {
        email: 'carol@contoso.com',
        change: 'new',
        at: day('08:50'),
        rule: 'external-per-hour',
        summary: '6 external recipients in the last hour; limit 5',
      },
    ]);
    // alice's 08:10 message loses its 3rd recipient, her 08:20 message all 3; carol's 08:50 message 3 of 4.
    expect(report.totals).toMatchObject({
      restricted: 2,
      newRestrictions: 2,
      recipientsRefused: 7,
      actualRestricted: 0,
    });
    // Nothing was saved, and the what-if is in the audit log as a read.
    expect(
      (await first.stack.http('GET', '/api/v1/policies/outbound-spam', { token: first.token })).json.limits,
    ).toMatchObject({
      externalPerHour: 500,
    });
    const audit = await first.stack.app.audit.list(SYSTEM_PRINCIPAL, { action: 'policy.what-if' });
    expect(audit.items.map((e) => e.target)).toEqual(['policy:Default']);

    // Pass 2: a fresh node, the same policy saved, the same mail at the same instants.
    const clock2 = new FakeClock(day('07:00'));
    const second = await node(clock2);
    const saved = await second.stack.http('PUT', '/api/v1/policies/outbound-spam', {
      token: second.token,
      body: PROPOSAL,
    });
    expect(saved.status).toBe(200);
    const replies2 = await sendScript(second.stack, clock2, second.passwords);
    expect(replies2.get('alice')?.slice(3, 6)).toEqual([
      expect.stringMatching(/^250 /),
      expect.stringMatching(/^250 /),
      RESTRICTED,
    ]);
    expect(replies2.get('bob')?.every((r) => r.startsWith('250'))).toBe(true);

    clock2.set(day('12:00'));
    const live = await second.stack.app.restrictions.listRestricted(SYSTEM_PRINCIPAL);
    const actual = live
      .map((r) => ({
        email: r.user.email,
        at: r.restriction.restrictedAt.toISOString(),
        rule: r.restriction.evidence.rule,
      }))
      .sort((a, b) => a.email.localeCompare(b.email));
    expect(actual).toEqual(
      predicted.map((p: { email: string; at: string; rule: string }) => ({ email: p.email, at: p.at, rule: p.rule })),
    );

    // On the second node the same what-if finds both restrictions already real, at the same times.
    const again = await second.stack.http('POST', '/api/v1/policies/outbound-spam/what-if', {
      token: second.token,
      body: { ...PROPOSAL, days: 1 },
    });
    expect(
      again.json.users.map((u: { email: string; change: string; actualRestrictedAt: string | null }) => [
        u.email,
        u.change,
        u.actualRestrictedAt,
      ]),
    ).toEqual([
      ['alice@contoso.com', 'still', day('08:10')],
      ['carol@contoso.com', 'still', day('08:50')],
    ]);
  });
});

/**
 * Issue 11 against a real Postfix 3.7 next hop (test/support/postfix.ts): the gateway is a
 * before-queue proxy. If this fails, a user sending to one good and one bad address is told
 * the whole message failed although it was delivered, resends, and the good recipient gets it
 * twice; or DSN requests vanish; or a message leaves without a trace header.
 *
 * Fakes: none. The node runs in this process (test/support/stack.ts) with SENDWARDEN_RELAY
 * pointing at Postfix, which delivers into maildirs under its temp folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostfix, type PostfixNextHop } from '../support/postfix.js';
import { SmtpTestClient } from '../support/smtp-client.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
/** Sends only the 50-recipient message, so its counts start at zero. */
const SAM = 'sam@contoso.com';
const HOSTNAME = 'gw.contoso.test';
const WIDE = Array.from({ length: 50 }, (_, i) => `r${i}@fabrikam.com`);
const REFUSED_IN_THE_MIDDLE = 'r25@fabrikam.com';

let postfix: PostfixNextHop;
let stack: Stack;
let password: string;

beforeAll(async () => {
  postfix = await startPostfix([
    ROB,
    'here@fabrikam.com',
    'dsn@fabrikam.com',
    'josé@fabrikam.com',
    ...WIDE.filter((r) => r !== REFUSED_IN_THE_MIDDLE),
  ]);
  stack = await startStack({ env: { SENDWARDEN_RELAY: postfix.url, SENDWARDEN_HOSTNAME: HOSTNAME } });
  password = (await stack.addUser(ROB)).password;
  await stack.addUser(SAM);
  // Exactly the 49 recipients Postfix takes of sam's 50: one more counted (the refused one) would restrict sam.
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, {
    limits: { externalPerHour: 49, perDay: 1000, recipientsPerMessage: 100, messagesPerMinute: 100 },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await postfix?.stop();
});

async function signedIn(login = ROB): Promise<SmtpTestClient> {
  const client = await SmtpTestClient.connect(stack.smtpPort, { replyTimeoutMs: 20_000 });
  expect(await client.signIn(login, password)).toMatch(/^235 /);
  return client;
}

/** A message without Message-ID and Date, so the gateway must add them. */
function bare(subject: string): string {
  return [`From: Rob <${ROB}>`, 'To: here@fabrikam.com', `Subject: ${subject}`, '', 'Body line one.', '.dot line'].join(
    '\r\n',
  );
}

describe('Postfix as the next hop', () => {
  it("gives Postfix's own answer per recipient and delivers exactly once to the accepted one", async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}>`)).toBe('250 Accepted');
    expect(await client.command('RCPT TO:<here@fabrikam.com>')).toBe('250 Accepted');
    expect(await client.command('RCPT TO:<gone@fabrikam.com>')).toBe(
      '550 5.1.1 <gone@fabrikam.com>: Recipient address rejected: User unknown in virtual mailbox table',
    );
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.sendData(bare('mixed'))).toMatch(/^250 2\.0\.0 Ok: queued as /);
    await client.quit();

    const delivered = await postfix.waitFor('here@fabrikam.com', 1);
    expect(delivered).toHaveLength(1);
    const message = delivered[0] ?? '';
    // Postfix saw our EHLO name, and our trace header, Message-ID and Date are there.
    expect(message).toMatch(new RegExp(`^Received: from ${HOSTNAME.replace(/\./g, '\\.')} `, 'm'));
    expect(message).toMatch(
      new RegExp(
        `^Received: by ${HOSTNAME.replace(/\./g, '\\.')} \\(Sendwarden\\) with ESMTPSA id [0-9a-f-]{36};`,
        'm',
      ),
    );
    expect(message).toMatch(new RegExp(`^Message-ID: <[0-9a-f-]{36}@${HOSTNAME.replace(/\./g, '\\.')}>$`, 'm'));
    expect(message).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    // The body is the client's, dot line included.
    expect(message).toContain('\nBody line one.\n.dot line');
  });

  it('refuses one recipient of 50 in the middle, delivers the other 49 once, and never counts the refused one', async () => {
    const client = await signedIn(SAM);
    expect(await client.command(`MAIL FROM:<${SAM}>`)).toBe('250 Accepted');
    const replies: string[] = [];
    for (const r of WIDE) replies.push(await client.command(`RCPT TO:<${r}>`));
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.sendData(bare('wide').replace(ROB, SAM))).toMatch(/^250 2\.0\.0 Ok: queued as /);
    await client.quit();

    expect(replies.filter((r) => r === '250 Accepted')).toHaveLength(49);
    expect(replies[25]).toBe(
      `550 5.1.1 <${REFUSED_IN_THE_MIDDLE}>: Recipient address rejected: User unknown in virtual mailbox table`,
    );
    for (const r of WIDE.filter((x) => x !== REFUSED_IN_THE_MIDDLE))
      expect(await postfix.waitFor(r, 1)).toHaveLength(1);
    expect(await stack.app.restrictions.listRestricted(SYSTEM_PRINCIPAL, SAM)).toEqual([]);
  });

  it('passes RET, ENVID, NOTIFY and ORCPT to Postfix as sent (its success DSN carries them back)', async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}> RET=HDRS ENVID=env-42`)).toBe('250 Accepted');
    expect(await client.command('RCPT TO:<dsn@fabrikam.com> NOTIFY=SUCCESS ORCPT=rfc822;dsn@fabrikam.com')).toBe(
      '250 Accepted',
    );
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.sendData(bare('dsn'))).toMatch(/^250 /);
    await client.quit();

    const notices = await postfix.waitFor(ROB, 1);
    const notice = notices.find((n) => n.includes('Original-Envelope-Id')) ?? '';
    expect(notice).toMatch(/^Original-Envelope-Id: env-42$/m);
    expect(notice).toMatch(/^Original-Recipient: rfc822;dsn@fabrikam.com$/m);
    expect(notice).toMatch(/^Action: delivered/m);
  });

  it('hands a UTF-8 recipient (sent not in NFC) to Postfix with SMTPUTF8, normalised, and it is delivered', async () => {
    const client = await signedIn();
    expect(await client.command(`MAIL FROM:<${ROB}> SMTPUTF8`)).toBe('250 Accepted');
    // "jose" + U+0301 COMBINING ACUTE ACCENT: the same address as "josé" once in NFC.
    expect(await client.command('RCPT TO:<jose\u0301@fabrikam.com>')).toBe('250 Accepted');
    expect(await client.command('DATA')).toMatch(/^354 /);
    expect(await client.sendData(bare('utf8'))).toMatch(/^250 /);
    await client.quit();
    expect(await postfix.waitFor('josé@fabrikam.com', 1)).toHaveLength(1);
    // The virtual agent writes its log line just after the file lands in the maildir: wait for it.
    await expect.poll(() => postfix.log(), { timeout: 10_000 }).toContain('to=<josé@fabrikam.com>');
  });
});

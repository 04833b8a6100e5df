/**
 * Issue 15 part 4 and issue 16 part 2, with a real Rspamd: GTUBE messages restrict a user; the
 * restriction's evidence lists them with subject, recipients, Rspamd's score and symbols (a 1.1 MB one
 * kept cut at 1 MB); opening one returns its text and writes an audit entry; a helpdesk token is
 * refused (403) and the refusal audited once; Unblock with "false positive" hands the kept messages
 * to Rspamd's controller (/learnham) and reports its answer; with Rspamd stopped, an Unblock with
 * "confirmed hijack" still succeeds and says learning failed. If this fails, the flyout's "Review
 * recent messages" shows nothing real, or an Rspamd outage blocks an unblock.
 *
 * Fakes: none. Real Rspamd (test/support/rspamd.ts), real node (SQLite, SMTP over TLS, HTTP), real CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTestClient, simpleMessage } from '../support/smtp-client.js';
import { createRspamd, GTUBE, type RspamdInstance } from '../support/rspamd.js';
import { startStack, SYSTEM_PRINCIPAL, type Stack } from '../support/stack.js';

const ROB = 'rob@contoso.com';
const TO = ['ceo@fabrikam.com', 'finance@fabrikam.com'];
const SPAM = '550 5.7.1 Message refused as spam';
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';

let rspamd: RspamdInstance;
let stack: Stack;
let admin: string;
let helpdesk: string;
let robPassword: string;

async function send(subject: string, text: string, raw?: string): Promise<string> {
  const client = await SmtpTestClient.connect(stack.smtpPort);
  try {
    expect(await client.signIn(ROB, robPassword)).toMatch(/^235 /);
    const r = await client.sendMail(ROB, TO, raw ?? simpleMessage(ROB, TO, subject, text));
    await client.quit();
    return r.final ?? r.rcpt[0] ?? r.mail;
  } finally {
    client.destroy();
  }
}

async function auditActions(): Promise<
  { action: string; actor: { label: string }; after?: Record<string, unknown> }[]
> {
  const r = await stack.http('GET', '/api/v1/audit-log?limit=200', { token: admin });
  expect(r.status).toBe(200);
  return r.json.items;
}

interface EvidenceItem {
  id: string;
  subject: string;
  recipients: string[];
  recipientCount: number;
  scanner: { name: string; score: number; symbols: string[] };
  truncated: boolean;
  size: number;
}

beforeAll(async () => {
  rspamd = await createRspamd();
  await rspamd.start();
  stack = await startStack({
    demo: true,
    env: {
      SENDWARDEN_RSPAMD_URL: rspamd.url,
      SENDWARDEN_RSPAMD_PASSWORD: rspamd.password,
      SENDWARDEN_RSPAMD_CONTROLLER_URL: rspamd.controllerUrl,
      SENDWARDEN_RSPAMD_TIMEOUT_MS: '5000',
    },
  });
  robPassword = await stack.setPassword(ROB);
  ({ secret: admin } = await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'global-admin' }));
  ({ secret: helpdesk } = await stack.app.tokens.create(SYSTEM_PRINCIPAL, { role: 'helpdesk' }));
  await stack.app.policyAdmin.update(SYSTEM_PRINCIPAL, { spamVerdictsToRestrict: 3, spamWindowMinutes: 60 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rspamd?.dispose();
});

describe('evidence of a restriction, with a real Rspamd', { timeout: 90_000 }, () => {
  it('GTUBE messages restrict rob; the evidence lists them with subject, recipients, score and symbols', async () => {
    // Rspamd looks for GTUBE in small text parts only, so the bulk is an attachment beside it.
    const attachment = Buffer.alloc(900_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const big = [
      `From: <${ROB}>`,
      `To: ${TO.map((t) => `<${t}>`).join(', ')}`,
      'Subject: Big attachment',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      GTUBE,
      '--b1',
      'Content-Type: application/octet-stream; name="invoice.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--b1--',
      '',
    ].join('\r\n');
    const replies = [
      await send('Invoice overdue <script>alert(1)</script>', GTUBE),
      await send('Big attachment', '', big),
      await send('Last warning', GTUBE),
    ];
    expect(replies).toEqual([SPAM, SPAM, RESTRICTED]);
    const r = await stack.http('GET', `/api/v1/restricted-users/${ROB}/evidence`, { token: admin });
    expect(r.status).toBe(200);
    const items = r.json.items as EvidenceItem[];
    expect(items.map((i) => i.subject)).toEqual([
      'Last warning',
      'Big attachment',
      'Invoice overdue <script>alert(1)</script>',
    ]);
    for (const item of items) {
      expect(item.recipients).toEqual(TO);
      expect(item.recipientCount).toBe(2);
      expect(item.scanner.name).toBe('rspamd');
      expect(item.scanner.symbols).toContain('GTUBE');
      expect(item.scanner.score).toBeGreaterThanOrEqual(15);
    }
    expect(items[1]).toMatchObject({ truncated: true });
    expect(items[1]!.size).toBeGreaterThan(1_048_576);
    expect(items[0]).toMatchObject({ truncated: false });
    // The message log now names the recipients too.
    await stack.app.flushMessages();
    const again = await stack.http('GET', `/api/v1/users/${ROB}/messages`, { token: admin });
    expect(again.status).toBe(200);
    expect(
      (again.json.items as { subject: string; recipients: string[] }[]).find((m) => m.subject === 'Last warning'),
    ).toMatchObject({ recipients: TO });
  });

  it('opening one returns its text and is audited; a helpdesk token gets 403, audited once', async () => {
    const list = await stack.http('GET', `/api/v1/restricted-users/${ROB}/evidence`, { token: admin });
    const first = (list.json.items as EvidenceItem[])[0]!;
    const opened = await stack.http('GET', `/api/v1/restricted-users/${ROB}/evidence/${first.id}`, { token: admin });
    expect(opened.status).toBe(200);
    expect(opened.json.text).toContain('Subject: Last warning');
    expect(opened.json.text).toContain(GTUBE);
    const denied = await stack.http('GET', `/api/v1/restricted-users/${ROB}/evidence/${first.id}`, { token: helpdesk });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('FORBIDDEN');
    expect(denied.text).not.toContain(GTUBE);
    const entries = await auditActions();
    expect(entries.filter((e) => e.action === 'evidence.viewed')).toHaveLength(1);
    expect(entries.filter((e) => e.action === 'access.denied')).toHaveLength(1);
    const cli = await stack.cli(['restricted', 'evidence', ROB, '--message', first.id]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('Subject: Last warning');
    expect((await auditActions()).filter((e) => e.action === 'evidence.viewed')).toHaveLength(2);
  });

  it("unblock as a false positive hands the kept messages to /learnham and reports Rspamd's answer", async () => {
    const r = await stack.http('POST', `/api/v1/restricted-users/${ROB}/unblock`, {
      token: admin,
      body: { confirm: true, verdict: 'false-positive' },
    });
    expect(r.status).toBe(200);
    expect(r.json.releaseKind).toBe('unblock');
    expect(r.json.learning).toMatchObject({ state: 'learned', kind: 'ham', messages: 3, learned: 3 });
    // Rspamd's controller's own answer to learnham.
    expect(r.json.learning.detail).toContain('"success":true');
    const entries = await auditActions();
    expect(entries.find((e) => e.action === 'evidence.learned')!.after).toMatchObject({
      verdict: 'false-positive',
      state: 'learned',
    });
  });

  it('with Rspamd stopped, an unblock as a confirmed hijack still succeeds and says learning failed', async () => {
    robPassword = await stack.setPassword(ROB);
    // Rspamd still up: these three restrict rob again.
    expect([await send('Again 1', GTUBE), await send('Again 2', GTUBE), await send('Again 3', GTUBE)]).toEqual([
      SPAM,
      SPAM,
      RESTRICTED,
    ]);
    await rspamd.stop();
    const evidence = await stack.http('GET', `/api/v1/restricted-users/${ROB}/evidence`, { token: admin });
    expect((evidence.json.items as EvidenceItem[]).map((i) => i.subject)).toEqual(['Again 3', 'Again 2', 'Again 1']);
    const started = Date.now();
    const r = await stack.http('POST', `/api/v1/restricted-users/${ROB}/unblock`, {
      token: admin,
      body: { confirm: true, verdict: 'confirmed-hijack' },
    });
    expect(r.status).toBe(200);
    expect(r.json.learning).toMatchObject({ state: 'failed', kind: 'spam', learned: 0 });
    expect(r.json.learning.detail).toMatch(/ECONNREFUSED|cannot|refused/i);
    // One failure ends the run: no waiting out a timeout per message.
    expect(Date.now() - started).toBeLessThan(10_000);
    const list = await stack.http('GET', '/api/v1/restricted-users', { token: admin });
    expect((list.json.items as { email: string }[]).map((x) => x.email)).not.toContain(ROB);
  });
});

/**
 * Issue 16 part 2 and issue 15 part 4 in a real Chromium at 1280x800: the Unblock flyout's "Review
 * recent messages" step shows the kept evidence as a person reads it (time, subject, recipients
 * with a count, verdict and score) and the message log with its recipients, without anything running
 * past the flyout or a cell (the old 64-character message id ran over the Score column); a subject
 * with markup is shown as text; Open shows what was really sent; the optional "false positive" step
 * is sent with the unblock and the page says what learning did (no Rspamd controller here).
 * If this fails, an admin sees a broken flyout or nothing real to decide on.
 *
 * Fakes: none in the server (SQLite, the built portal). The kept messages are handed to the same
 * EvidenceService.keep the gateway calls (test/e2e/stack-evidence.test.ts sends them through SMTP
 * and a real Rspamd). Screenshot: test/artifacts/portal-unblock-evidence.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/adapters/http/route.js';
import { links } from '../../src/adapters/portal/app/routes.js';
import { HAS_CHROMIUM, artifacts, launchChromium } from './browser-harness.js';
import { startPortalServer, type PortalServer } from './portal-server.js';

const OPS = { email: 'ops@contoso.com', password: 'amber kettle orbit violin 73' };
const ALEX = 'alex@contoso.com';
const LONG_SUBJECT =
  'URGENT: your mailbox quota is exceeded <b>click</b> here to keep your messages and avoid deactivation today';
const RECIPIENTS = [
  'accounts.payable.department.northwest.region@fabrikam-international-holdings.com',
  'ceo@fabrikam.com',
  'finance@fabrikam.com',
  'it-support@fabrikam.com',
  'legal@fabrikam.com',
  'sales@fabrikam.com',
  'hr@fabrikam.com',
];

describe.skipIf(!HAS_CHROMIUM)('Unblock flyout evidence in Chromium at 1280 px', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startPortalServer();
    const ops = await server.app.directory.addUser(server.system, {
      email: OPS.email,
      displayName: 'Ops Admin',
      roles: ['global-admin'],
    });
    await server.app.directory.resetPassword(server.system, ops.id, {
      password: OPS.password,
      mustChangePassword: false,
    });
    const alex = await server.app.directory.getUser(server.system, ALEX);
    for (let i = 0; i < 3; i++) {
      const id = `${'e'.repeat(8)}-${i}-${'f'.repeat(52)}`;
      const subject = i === 0 ? LONG_SUBJECT : `Invoice ${i} <script>alert(1)</script>`;
      const kept = await server.app.evidence.keep({
        id,
        userId: alex.id,
        evidence: 'spam',
        reason: 'Message refused as spam by rspamd (reject, score 1000).',
        subject,
        recipients: RECIPIENTS,
        spamScore: 2,
        spamBy: ['rspamd'],
        scanner: {
          name: 'rspamd',
          action: 'reject',
          score: 1015.5,
          symbols: ['GTUBE', 'MISSING_DATE', 'MID_RHS_NOT_FQDN'],
        },
        raw: Buffer.from(
          `Subject: ${subject}\r\nTo: ${RECIPIENTS.join(', ')}\r\n\r\nPlease pay invoice ${i} today.\r\n`,
        ),
      });
      expect(kept).toBe(true);
      server.app.recordMessage({
        id,
        at: server.app.clock.now(),
        userId: alex.id,
        sender: ALEX,
        recipientsInternal: 0,
        recipientsExternal: RECIPIENTS.length,
        recipientsRefused: 0,
        size: 300,
        subject,
        recipients: RECIPIENTS.slice(0, 5),
        spamScore: 2,
        isSpam: true,
        outcome: 'rejected',
        reasonCode: 'SPAM_DETECTED',
        reason: 'Message refused as spam',
        nextHopReply: null,
        clientAddress: '192.0.2.7',
        scanner: { name: 'rspamd', action: 'reject', score: 1015.5, symbols: ['GTUBE'] },
        spamBy: ['rspamd'],
      });
    }
    await server.app.flushMessages();
    await server.app.restrictions.restrictUser({
      userId: alex.id,
      kind: 'until-unblocked',
      evidence: {
        rule: 'spam-verdicts',
        summary: '3 spam verdicts in the last 60 minutes; limit 3',
        counts: { 'spam-verdicts': 3 },
        limit: 3,
        windowMinutes: 60,
        verdicts: [{ messageId: `${'e'.repeat(8)}-2-${'f'.repeat(52)}`, score: 2, at: new Date().toISOString() }],
      },
    });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function page(): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const p = await context.newPage();
    const started = await server.app.sessions.signIn({
      email: OPS.email,
      password: OPS.password,
      address: '127.0.0.1',
      userAgent: null,
    });
    await server.app.sessions.postponeEnrolment(started, '127.0.0.1');
    await context.addCookies([
      { name: SESSION_COOKIE, value: started.cookie, url: server.url, httpOnly: true, sameSite: 'Strict' },
    ]);
    return p;
  }

  it(
    'shows subject, recipients, verdict and score without overflowing; Open shows the text; false positive is reported',
    { timeout: 90_000 },
    async () => {
      const p = await page();
      p.setDefaultTimeout(15_000);
      await p.goto(server.url + links.restricted());
      await p.getByRole('radio', { name: `Select ${ALEX}` }).check();
      await p.getByRole('button', { name: 'Unblock', exact: true }).click();
      const flyout = p.getByRole('dialog', { name: `Unblock ${ALEX}` });
      const evidence = flyout.getByTestId('evidence-messages');
      await evidence.waitFor();
      await flyout.getByTestId('recent-messages').waitFor();

      const text = await evidence.innerText();
      expect(text).toContain(LONG_SUBJECT);
      expect(text).toContain('Invoice 2 <script>alert(1)</script>');
      expect(text).toContain(`${RECIPIENTS.slice(0, 5).join(', ')} and 2 more`);
      expect(text).toContain('Score 1,015.5');
      expect(text).toContain('GTUBE');
      // The subject with markup is text, not elements.
      expect(await evidence.locator('script, b').count()).toBe(0);
      // The old flyout showed the 64-character message id; it is gone.
      expect(await flyout.innerText()).not.toContain('f'.repeat(52));
      expect(await flyout.getByTestId('recent-messages').innerText()).toContain(RECIPIENTS[0]);

      const overflow = await flyout.evaluate((dialog) => {
        const problems: string[] = [];
        const check = (el: Element, what: string) => {
          if (el.scrollWidth > el.clientWidth + 1) problems.push(`${what}: ${el.scrollWidth} > ${el.clientWidth}`);
        };
        check(dialog, 'flyout');
        const body = dialog.querySelector('.fui-DrawerBody');
        if (body) check(body, 'flyout body');
        for (const table of dialog.querySelectorAll('[data-testid=evidence-messages], [data-testid=recent-messages]')) {
          check(table, `table ${table.getAttribute('data-testid')}`);
          const box = table.getBoundingClientRect();
          const outer = dialog.getBoundingClientRect();
          if (box.right > outer.right + 1) problems.push(`table ends at ${box.right}, flyout at ${outer.right}`);
          for (const cell of table.querySelectorAll('td, th'))
            check(cell, `cell "${(cell.textContent ?? '').slice(0, 30)}"`);
        }
        return problems;
      });
      expect(overflow).toEqual([]);

      await evidence.getByRole('button', { name: `Open the message "${LONG_SUBJECT}"` }).click();
      const opened = flyout.getByTestId('evidence-text');
      await opened.waitFor();
      expect(await opened.innerText()).toContain('Please pay invoice 0 today.');
      await flyout.getByTestId('step-review').scrollIntoViewIfNeeded();
      await p.screenshot({ path: path.join(artifacts, 'portal-unblock-evidence.png'), animations: 'disabled' });
      const audit = await server.app.audit.list(server.system, { limit: 20 });
      expect(audit.items.filter((e) => e.action === 'evidence.viewed')).toHaveLength(1);

      await flyout.getByRole('radio', { name: /^False positive/ }).check();
      await flyout.getByRole('button', { name: 'Submit' }).click();
      await p.getByTestId('confirm-dialog').getByRole('button', { name: 'Yes' }).click();
      await p.getByTestId('unblocked-message').waitFor();
      expect((await p.getByTestId('learning-outcome').innerText()).trim()).toBe(
        'Rspamd learned nothing: no Rspamd controller is configured.',
      );
      const unblocked = (await server.app.audit.list(server.system, { limit: 20 })).items.find(
        (e) => e.action === 'restriction.unblocked',
      );
      expect(unblocked?.after).toMatchObject({ verdict: 'false-positive' });
    },
  );
});

/**
 * The Outbox page (issue 16) in Chromium: long From and To addresses wrap inside their own column
 * instead of running under the next one, and a global admin sees Sendwarden's reset-code mail
 * marked, the code masked until "Show the code" (audited). Screenshots: test/artifacts/outbox-*.png.
 * Fakes: none (real Sendwarden on SQLite, the built portal, the capture outbox, Chromium).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/adapters/http/route.js';
import { links } from '../../src/adapters/portal/app/routes.js';
import { HAS_CHROMIUM, artifacts, launchChromium } from './browser-harness.js';
import { startPortalServer, type PortalServer } from './portal-server.js';

const OPS = { email: 'ops@contoso.com', password: 'amber kettle orbit violin 73' };
const LONG_FROM = 'notifications-for-the-quarterly-finance-review@eu-west.mail.contoso-subsidiary.com';
const MANY_TO = Array.from({ length: 4 }, (_, i) => `recipient-number-${i}@partners.fabrikam-international.com`);

describe.skipIf(!HAS_CHROMIUM)('Outbox page in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;

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
    await server.app.relay.send(
      { from: LONG_FROM, to: MANY_TO },
      Buffer.from(`From: ${LONG_FROM}\r\nSubject: Quarterly review\r\n\r\nHello\r\n`),
      { id: 'c0ffee00-0000-4000-8000-00000000000a', subject: 'Quarterly review' },
    );
    await server.app.directory.addUser(server.system, {
      email: 'sanne@contoso.com',
      displayName: 'Sanne',
      alternateEmail: 'sanne.devries.private.mailbox@home-provider.example.net',
      language: 'nl',
    });
    await server.app.selfService.start('sanne@contoso.com', '127.0.0.1');
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
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
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps From and To inside their own columns', { timeout: 60_000 }, async () => {
    await page.goto(server.url + links.outbox());
    await page.getByTestId('outbox-table').waitFor();
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="outbox-table"] tbody tr')].map((tr) => {
        const from = tr.querySelector('[data-testid="outbox-from"]') as HTMLElement;
        const to = tr.querySelector('[data-testid="outbox-to"]') as HTMLElement;
        const f = from.getBoundingClientRect();
        const t = to.getBoundingClientRect();
        return {
          text: from.innerText,
          fromRight: f.right,
          toLeft: t.left,
          fromOverflow: from.scrollWidth - from.clientWidth,
          toOverflow: to.scrollWidth - to.clientWidth,
        };
      }),
    );
    await page.screenshot({ path: path.join(artifacts, 'outbox-columns.png'), fullPage: true });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.fromRight, r.text).toBeLessThanOrEqual(r.toLeft + 0.5);
      expect(r.fromOverflow, r.text).toBeLessThanOrEqual(0);
      expect(r.toOverflow, r.text).toBeLessThanOrEqual(0);
    }
  });

  it('marks the reset-code mail and masks the code until Show, which is audited', { timeout: 60_000 }, async () => {
    await page.goto(server.url + links.outbox());
    await page.getByTestId('outbox-table').waitFor();
    const subject = 'Je code om je Sendwarden-wachtwoord opnieuw in te stellen';
    const row = page.locator('tr', { hasText: subject });
    await expect(row.getByText('Reset code')).toBeDefined();
    expect(await row.innerText()).toContain('Reset code');
    await row.getByRole('button', { name: subject }).click();
    const raw = page.getByTestId('outbox-raw');
    await raw.waitFor();
    expect(await raw.innerText()).toContain('********');
    expect(await raw.innerText()).not.toMatch(/Je code: \d{8}/);
    await page.screenshot({ path: path.join(artifacts, 'outbox-masked.png') });
    await page.getByRole('button', { name: 'Show the code' }).click();
    await page.waitForFunction(() =>
      /Je code: \d{8}/.test(document.querySelector('[data-testid="outbox-raw"]')?.textContent ?? ''),
    );
    const audit = await server.app.audit.list(server.system, { action: 'outbox.secret-revealed' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.actor.label).toBe(OPS.email);
  });
});

/**
 * Issue 13, "Done when": after a 10,000-user import, the Audit log page renders its first page in
 * English and in Dutch, readable: action names in the page's language (never a raw key such as
 * "users.imported"), each import entry summarised as one line ("Imported 500 users") instead of
 * 500 addresses, users linked by name, and a Verify button that shows the verdict. If this failed,
 * an admin would face a page 200,000 pixels tall, or raw keys and JSON.
 * Fakes: none (real Sendwarden on SQLite, the built portal, Chromium). Screenshots: test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/adapters/portal/app/routes.js';
import { HAS_CHROMIUM, artifacts, launchChromium } from './browser-harness.js';
import { signInContext, startPortalWithAdmin, type PortalServer } from './portal-server.js';

const USERS = 10_000;

describe.skipIf(!HAS_CHROMIUM)('audit log page in Chromium after a 10,000-user import', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startPortalWithAdmin();
    const rows = Array.from({ length: USERS }, (_, i) => ({
      line: i + 2,
      email: `imported${String(i).padStart(5, '0')}@contoso.com`,
      displayName: `Imported ${i}`,
    }));
    const report = await server.app.directory.importUsers(server.system, rows, { dryRun: false });
    expect(report.imported).toBe(USERS);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function openAuditLog(locale: string): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await signInContext(server, context);
    await page.goto(server.url + links.audit());
    await page.getByTestId('audit-table').waitFor();
    return page;
  }

  it.each([
    { locale: 'en-US', imported: 'Imported 500 users', verify: 'Verify', ok: 'The audit log verifies', file: 'en' },
    {
      locale: 'nl-NL',
      imported: '500 gebruikers geïmporteerd',
      verify: 'Controleren',
      ok: 'Het auditlogboek is intact',
      file: 'nl',
    },
  ])(
    'renders the first page in $locale, summarised and translated, and verifies',
    async (c) => {
      const page = await openAuditLog(c.locale);
      const started = Date.now();
      const text = await page.getByTestId('audit-table').innerText();
      expect(text).toContain(c.imported);
      expect(text).not.toMatch(/users\.imported|auditAction\.|imported00042@/);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      expect(height).toBeLessThan(8000);
      await page.screenshot({ path: path.join(artifacts, `audit-log-after-import-${c.file}.png`), fullPage: false });

      // One entry expands to its addresses, 50 at a time.
      await page
        .getByRole('button', { name: c.locale === 'en-US' ? 'Show the 500 users' : 'De 500 gebruikers tonen' })
        .first()
        .click();
      expect(await page.getByTestId('audit-imported-users').first().locator('li').count()).toBe(50);

      await page.getByTestId('audit-verify').click();
      const result = page.getByTestId('audit-verify-result');
      await result.waitFor();
      expect(await result.innerText()).toContain(c.ok);
      await page.screenshot({ path: path.join(artifacts, `audit-log-verified-${c.file}.png`) });
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    120_000,
  );
});

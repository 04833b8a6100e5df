/**
 * Preview impact on the Policies page (issue 17), in English and Dutch: an admin lowers the
 * external limit, presses Preview impact, and sees who would have been restricted, with a small
 * timeline each, before anything is saved. What a user would notice if this failed: no preview,
 * a preview in the wrong language or with raw keys, or a preview that silently saved the policy.
 * Fakes: none (real node, real Chromium). The message log is filled through the store, as the
 * gateway's batch writer fills it. Screenshots go to test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/adapters/portal/app/routes.js';
import type { MessageRecord } from '../../src/core/sending/message-record.js';
import { HAS_CHROMIUM, artifacts, launchChromium } from './browser-harness.js';
import { signInContext, startPortalWithAdmin, type PortalServer } from './portal-server.js';

describe.skipIf(!HAS_CHROMIUM)('Preview impact in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startPortalWithAdmin();
    // Megan sent 3 + 3 external recipients two hours ago; Alex 1.
    const now = Date.now();
    const rows: MessageRecord[] = [];
    for (const [email, counts] of [
      ['megan@contoso.com', [3, 3]],
      ['alex@contoso.com', [1]],
    ] as const) {
      // The portal server seeds the demo tenant, where Megan and Alex already work.
      const user = await server.app.directory.getUser(server.system, email);
      counts.forEach((external, i) =>
        rows.push({
          id: `m-${user.id}-${i}`,
          at: new Date(now - 2 * 3_600_000 + i * 60_000),
          userId: user.id,
          sender: email,
          recipientsInternal: 0,
          recipientsExternal: external,
          recipientsRefused: 0,
          refusedInternal: 0,
          refusedExternal: 0,
          size: 800,
          subject: 'Quarterly figures',
          spamScore: 1,
          isSpam: false,
          outcome: 'captured',
          reasonCode: null,
          reason: null,
          nextHopReply: null,
          clientAddress: '198.51.100.7',
        }),
      );
    }
    await server.app.store.stores.messages.insertMany(rows);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function signedInPage(locale: string): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 1400 } });
    contexts.push(context);
    const page = await context.newPage();
    await signInContext(server, context);
    await page.goto(server.url + links.policies());
    return page;
  }

  for (const c of [
    {
      locale: 'en-US',
      lang: 'en',
      field: /^External recipients per hour/,
      button: 'Preview impact',
      change: 'Newly restricted',
      event: 'Restricted',
      nothingSaved: 'Nothing was saved.',
    },
    {
      locale: 'nl-NL',
      lang: 'nl',
      field: /^Externe geadresseerden per uur/,
      button: 'Impact bekijken',
      change: 'Nieuw beperkt',
      event: 'Beperkt',
      nothingSaved: 'Er is niets opgeslagen.',
    },
  ]) {
    it(`${c.lang}: lower the external limit, Preview impact names Megan with her timeline, and nothing is saved`, async () => {
      const page = await signedInPage(c.locale);
      const form = page.getByTestId('policy-form');
      await form.getByLabel(c.field).fill('5');
      await page.getByRole('button', { name: c.button }).click();
      const panel = page.getByTestId('what-if-panel');
      await panel.waitFor();
      const megan = panel.getByTestId('what-if-user-megan@contoso.com');
      await megan.waitFor();
      const text = await megan.innerText();
      expect(text).toContain(c.change);
      expect(text).toContain(c.event);
      expect(text).toMatch(/6\D+5/);
      expect(await panel.getByTestId('what-if-user-alex@contoso.com').count()).toBe(0);
      expect(await panel.innerText()).toContain(c.nothingSaved);
      expect(await page.locator('body').innerText()).not.toMatch(/whatIf\./);
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: path.join(artifacts, `portal-what-if-${c.lang}.png`),
        fullPage: true,
        animations: 'disabled',
      });
      expect((await server.app.policyAdmin.get(server.system)).limits.externalPerHour).toBe(500);
    }, 60_000);
  }
});

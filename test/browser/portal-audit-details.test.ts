/**
 * The Audit log as a person reads it, in the portal's language rather than the browser's:
 * - a policy change lists its sending limits by their Policies-page labels ("External recipients
 *   per hour: 500 → 100"), never as JSON, and a limit this portal has no label for still shows;
 *   its action, spam count and scope read as the Policies page words them ("Applies to: Domains:
 *   contoso.com"), not restrict-until-tomorrow or {"users":[],...};
 * - the Action filter offers every action the server records, each by its name in the page's
 *   language (it once lacked "Policy deleted", "Policy created" and "Signed out");
 * - with the portal in Romanian in an English browser, the date filters show and take dd.mm.yyyy
 *   (a native date input showed mm/dd/yyyy), send the same ISO instants as before, and name a date
 *   that is not one.
 * If this failed, an admin would read {"externalPerHour":100,...} in a Dutch page, or filter on
 * 12 November when typing 11.12.
 * Fakes: the server's Clock (FakeClock), so that entries fall on known days. Everything else is real
 * (Sendwarden on SQLite, the built portal, Chromium). Screenshots: test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/adapters/portal/app/routes.js';
import { AUDIT_ACTIONS } from '../../src/core/audit/audit-actions.js';
import { recordAudit } from '../../src/core/audit/record.js';
import { FakeClock } from '../support/fake-clock.js';
import { HAS_CHROMIUM, artifacts, englishKeys, launchChromium } from './browser-harness.js';
import { signInContext, startPortalWithAdmin, type PortalServer } from './portal-server.js';

// The browser's own settings: English, in Bucharest (so a day starts at 22:00 UTC in November).
const BROWSER = { locale: 'en-US', timezoneId: 'Europe/Bucharest', viewport: { width: 1400, height: 900 } };

describe.skipIf(!HAS_CHROMIUM)('audit log: policy limits in words, dates in the portal language', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const clock = new FakeClock('2026-11-20T10:00:00Z');
    // 20 November: the demo tenant and the admins are created.
    server = await startPortalWithAdmin({ clock });
    // 25 November: the default policy's external limit goes from 500 to 100, its action to "until an
    // admin unblocks" and its spam count from 5 to 1,000; a custom policy is made,
    // and an entry written by a newer server carries a limit this portal does not know.
    clock.set('2026-11-25T10:00:00Z');
    await server.app.policyAdmin.update(server.system, {
      limits: { externalPerHour: 100 },
      action: 'restrict',
      spamVerdictsToRestrict: 1000,
    });
    await server.app.policyAdmin.createCustom(server.system, {
      name: 'Sales',
      priority: 10,
      scope: { domains: ['contoso.com'] },
      limits: { perDay: 1500 },
    });
    clock.set('2026-11-25T11:00:00Z');
    await server.app.store.uow.run((s) =>
      recordAudit(
        s,
        clock.now(),
        server.system.actor,
        'policy.updated',
        'policy:Newer',
        { limits: { externalPerHour: 100, perWeek: 9000 } },
        { limits: { externalPerHour: 100, perWeek: 7000 } },
      ),
    );
    // 26 November: a second custom policy is made and deleted again.
    clock.set('2026-11-26T10:00:00Z');
    await server.app.policyAdmin.createCustom(server.system, {
      name: 'Trial',
      priority: 20,
      scope: { groups: ['trial'] },
      limits: { perDay: 50 },
    });
    await server.app.policyAdmin.deleteCustom(server.system, 'Trial');
    // 27 November: the admin signs in to look.
    clock.set('2026-11-27T10:00:00Z');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function open(url: string): Promise<Page> {
    const context = await browser.newContext(BROWSER);
    contexts.push(context);
    await signInContext(server, context);
    const page = await context.newPage();
    await page.goto(server.url + url);
    await page.getByRole('search').waitFor();
    return page;
  }

  /** The header's language switch, as a user picks Română. */
  async function pickLanguage(page: Page, name: string, heading: string): Promise<void> {
    await page.getByTestId('language-picker').click();
    await page.getByRole('option', { name }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  /** Each row's Changes cell, newest first, with the target it belongs to. */
  async function changesByTarget(page: Page): Promise<Record<string, string>> {
    await page.getByTestId('audit-table').waitFor();
    const rows = page.getByTestId('audit-table').locator('tbody tr');
    const out: Record<string, string> = {};
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = rows.nth(i).locator('td');
      out[await cells.nth(4).innerText()] = await cells.nth(5).innerText();
    }
    return out;
  }

  it('shows each limit of a policy change by its label and value, in English and in Romanian', async () => {
    const page = await open(links.audit({ action: 'policy.updated' }));
    const en = await changesByTarget(page);
    expect(Object.keys(en).sort()).toEqual(['policy:Default', 'policy:Newer']);
    const defaults = en['policy:Default']!;
    expect(defaults).toContain('Sending limits (0 = no limit)');
    expect(defaults).toContain('External recipients per hour: 500 → 100');
    // Unchanged limits keep one value, in the language's digits.
    expect(defaults).toContain('Internal recipients per hour: 1,000');
    expect(defaults).toContain('Recipients per day: 2,000');
    expect(defaults).toContain('Messages per minute: 30');
    expect(defaults).toContain('Recipients per message: 500');
    expect(defaults).not.toMatch(/externalPerHour|[{}"]/);
    // A limit without a label here is shown under its own name, not dropped.
    expect(en['policy:Newer']).toContain('External recipients per hour: 100');
    expect(en['policy:Newer']).toContain('perWeek: 9,000 → 7,000');
    // The action and the spam count under their Policies-page labels, the action as the custom policies table names it.
    expect(defaults).toContain(
      'When a limit is reached: Restrict until the following day → Restrict until an admin unblocks',
    );
    expect(defaults).toContain('Spam messages before restricting: 5 → 1,000');
    expect(defaults).not.toMatch(/restrict-until-tomorrow|spamVerdictsToRestrict/);
    await page.screenshot({ path: path.join(artifacts, 'audit-policy-limits-en.png') });

    await pickLanguage(page, 'Română', 'Jurnal de audit');
    const ro = await changesByTarget(page);
    expect(ro['policy:Default']).toContain('Destinatari externi pe oră: 500 → 100');
    expect(ro['policy:Default']).toContain('Destinatari pe zi: 2.000');
    expect(ro['policy:Newer']).toContain('perWeek: 9.000 → 7.000');
    expect(ro['policy:Default']).toContain(
      'Când se atinge o limită: Restricționare până a doua zi → Restricționare până la deblocarea de către un administrator',
    );
    expect(ro['policy:Default']).toContain('Mesaje spam înainte de restricționare: 5 → 1.000');
    const text = await page.locator('body').innerText();
    expect(englishKeys().filter((key) => text.includes(key))).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'audit-policy-limits-ro.png') });
  }, 60_000);

  it('shows a new policy, which has no "before", with plain values', async () => {
    const page = await open(links.audit({ action: 'policy.created' }));
    const created = (await changesByTarget(page))['policy:Sales']!;
    expect(created).toContain('External recipients per hour: 100');
    expect(created).toContain('Recipients per day: 1,500');
    expect(created).not.toContain('→');
    expect(created).toContain('Applies to: Domains: contoso.com');
    expect(created).toContain('When a limit is reached: Restrict until an admin unblocks');
    expect(created).toContain('Spam messages before restricting: 1,000');
    expect(created).not.toMatch(/scope:|[{}"]|restrict-until|spamVerdictsToRestrict/);

    // In Romanian, with the portal's words for whom it applies to.
    await pickLanguage(page, 'Română', 'Jurnal de audit');
    const ro = (await changesByTarget(page))['policy:Sales']!;
    expect(ro).toContain('Se aplică pentru: Domenii: contoso.com');
    expect(ro).toContain('Mesaje spam înainte de restricționare: 1.000');
    await page.screenshot({ path: path.join(artifacts, 'audit-policy-created-ro.png') });
  }, 60_000);

  it('offers every recorded action in the Action filter by its Dutch name, and finds a deleted policy by it', async () => {
    const page = await open(links.audit());
    await pickLanguage(page, 'Nederlands', 'Auditlogboek');
    const filter = page.getByTestId('audit-action-filter');
    const options = await filter
      .locator('option')
      .evaluateAll((els) => els.map((el) => ({ value: (el as HTMLOptionElement).value, text: el.textContent ?? '' })));
    expect(options[0]).toEqual({ value: '', text: 'Alle acties' });
    expect(options.slice(1).map((o) => o.value)).toEqual([...AUDIT_ACTIONS]);
    // A name, not the action itself or its key.
    expect(options.filter((o) => o.value !== '' && (o.text === o.value || o.text.includes('auditAction')))).toEqual([]);
    expect(options.map((o) => o.text)).toEqual(
      expect.arrayContaining(['Beleid gemaakt', 'Beleid verwijderd', 'Afgemeld']),
    );

    await filter.selectOption({ label: 'Beleid verwijderd' });
    await page.getByRole('button', { name: 'Filters toepassen' }).click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'policy.deleted');
    await page.getByTestId('audit-table').waitFor();
    expect(await page.getByTestId('audit-action').allInnerTexts()).toEqual(['Beleid verwijderd']);
    const deleted = await changesByTarget(page);
    expect(Object.keys(deleted)).toEqual(['policy:Trial']);
    // A deleted policy has no "after": its scope reads once, in Dutch.
    expect(deleted['policy:Trial']).toContain('Geldt voor: Groepen: trial');
    await page.screenshot({ path: path.join(artifacts, 'audit-action-filter-nl.png') });
  }, 60_000);

  it('takes and shows dd.mm.yyyy with the portal in Romanian in an English browser, and filters by those days', async () => {
    const page = await open(links.audit());
    await pickLanguage(page, 'Română', 'Jurnal de audit');
    const from = page.getByTestId('audit-from');
    const to = page.getByTestId('audit-to');
    expect(await from.getAttribute('placeholder')).toBe('zz.ll.aaaa');
    expect(await to.getAttribute('placeholder')).toBe('zz.ll.aaaa');
    // The whole log, 20 to 27 November, shows entries of the 20th before filtering.
    const actions = () => page.getByTestId('audit-action').allInnerTexts();
    expect(await actions()).toContain('Utilizator creat');

    await from.fill('25.11.2026');
    await to.fill('25.11.2026');
    const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/audit-log');
    await page.getByRole('button', { name: 'Aplicați filtrele' }).click();
    const query = new URL((await request).url()).searchParams;
    // The same instants the native input sent: the browser's local day, 00:00 to 23:59:59.999.
    expect(query.get('from')).toBe('2026-11-24T22:00:00.000Z');
    expect(query.get('to')).toBe('2026-11-25T21:59:59.999Z');
    await page.getByTestId('audit-table').waitFor();
    expect((await actions()).sort()).toEqual(['Politică actualizată', 'Politică actualizată', 'Politică creată']);
    await page.screenshot({ path: path.join(artifacts, 'audit-date-filter-ro.png') });

    // Opened again from its link, the filter shows the days as a Romanian reads them.
    await page.reload();
    await page.getByTestId('audit-table').waitFor();
    expect(await from.inputValue()).toBe('25.11.2026');
    expect(await to.inputValue()).toBe('25.11.2026');

    // 20 November alone: the tenant's creation, none of the policy changes.
    await from.fill('20.11.2026');
    await to.fill('20.11.2026');
    await page.getByRole('button', { name: 'Aplicați filtrele' }).click();
    await page.waitForURL((u) => u.searchParams.get('from') === '2026-11-19T22:00:00.000Z');
    await page.getByTestId('audit-table').waitFor();
    const day20 = await actions();
    expect(day20).toContain('Utilizator creat');
    expect(day20).not.toContain('Politică actualizată');

    // A day that does not exist is named under the field, and the list keeps its filter.
    const before = page.url();
    await from.fill('31.02.2026');
    await page.getByRole('button', { name: 'Aplicați filtrele' }).click();
    await page.getByText('Introduceți data în formatul zz.ll.aaaa.').waitFor();
    expect(page.url()).toBe(before);
    // The message sits under its box and moves neither the other boxes nor the button.
    const tops = await Promise.all(
      [from, to, page.getByRole('button', { name: 'Aplicați filtrele' })].map(async (l) =>
        Math.round((await l.boundingBox())!.y),
      ),
    );
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(artifacts, 'audit-date-filter-invalid-ro.png') });
  }, 60_000);
});

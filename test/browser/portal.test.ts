/**
 * The portal in a real Chromium against a real Sendwarden (SQLite, in-process counters, capture
 * outbox, the built portal). What a user would notice if these failed: the first admin cannot get
 * in; Unblock does not free a restricted sender, or the row stays in the list; the page is not in
 * the user's language; a flyout traps or loses keyboard focus; an accessibility barrier.
 * Fakes: none. Screenshots go to test/artifacts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/adapters/portal/app/routes.js';
import { buildPortal, startPortalServer } from './portal-server.js';
import type { PortalServer } from './portal-server.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// CI installs Chromium (.ci/run) and must not skip the browser suite; a newcomer's machine may lack it.
if (!existsSync(CHROMIUM) && process.env['SENDWARDEN_REQUIRE_SERVICES'] === '1') {
  throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist (apt-get install -y chromium)`);
}
if (!existsSync(CHROMIUM))
  console.warn(`[sendwarden] ${CHROMIUM} not found: skipping the browser suite (apt-get install -y chromium)`);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = path.join(repoRoot, 'test/artifacts');
const OPS = { email: 'ops@contoso.com', password: 'amber kettle orbit violin 73' };

function englishKeys(): string[] {
  const flat: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') flat.push(prefix + k);
      else walk(v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  walk(
    JSON.parse(readFileSync(path.join(repoRoot, 'src/adapters/portal/app/i18n/en.json'), 'utf8')) as Record<
      string,
      unknown
    >,
    '',
  );
  return flat;
}

describe.skipIf(!existsSync(CHROMIUM))('portal in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await buildPortal();
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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // The machine has no network: without these Chromium keeps trying to reach Google's services.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function newPage(locale = 'en-US', options: { bypassCSP?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  const at = (href: string) => server.url + href;

  /** Password, then "Postpone" when the enrolment step shows (admins may put off TOTP for 14 days). */
  async function signIn(
    page: Page,
    email: string,
    password: string,
    labels = { email: 'Email address', password: 'Password', submit: 'Sign in', postpone: 'Postpone' },
  ) {
    await page.getByLabel(labels.email).fill(email);
    await page.getByLabel(labels.password).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
    await page.getByRole('button', { name: labels.postpone }).click();
  }

  it('first run: the admin signs in with the one-time password, postpones TOTP, must choose a password, and lands where they started', async () => {
    const page = await newPage();
    await page.goto(at(links.users()));
    await expect.poll(() => page.url()).toContain(links.signIn(links.users()));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');

    await page.getByLabel('Email address').fill(server.adminEmail);
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor();
    expect(await page.getByTestId('totp-secret').textContent()).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByRole('button', { name: 'Postpone' }).click();

    await page.getByTestId('forced-change').waitFor();
    await page.getByLabel('Current password').fill(server.adminPassword);
    await page.getByLabel(/^New password/).fill('plum harbour lantern cactus 19');
    await page.getByLabel('Confirm new password').fill('plum harbour lantern cactus 19');
    await page.screenshot({ path: path.join(artifacts, 'portal-forced-change.png') });
    await page.getByRole('button', { name: 'Change password' }).last().click();

    await page.getByRole('heading', { level: 1, name: 'Active users' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(links.users());
    expect(await page.getByTestId('totp-banner').textContent()).toContain('two-step sign-in');
  }, 60_000);

  it('Review > Restricted users: "rob" finds rob@contoso.com; Unblock with the recommended steps and Yes frees him at once', async () => {
    const rob = await server.app.directory.getUser(server.system, 'rob@contoso.com');
    await server.app.restrictions.restrictUser({
      userId: rob.id,
      kind: 'until-unblocked',
      evidence: {
        rule: 'external-per-hour',
        summary: '612 external recipients in the last hour; limit 500',
        counts: { 'external-per-hour': 612 },
        limit: 500,
      },
    });
    const page = await newPage();
    await page.goto(at(links.restricted()));
    await signIn(page, OPS.email, OPS.password);
    await page.getByRole('heading', { level: 1, name: 'Restricted users' }).waitFor();

    await page.getByRole('searchbox').fill('rob');
    await page.keyboard.press('Enter');
    await page.getByTestId('restricted-row-rob@contoso.com').waitFor();
    expect(await page.getByTestId('restricted-table').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('restricted-table').textContent()).toContain('Until an admin unblocks');

    await page.getByRole('radio', { name: 'Select rob@contoso.com' }).check();
    await page.getByRole('button', { name: 'Unblock' }).click();
    const flyout = page.getByRole('dialog', { name: 'Unblock rob@contoso.com' });
    await flyout.waitFor();
    await flyout.getByTestId('evidence-summary').waitFor();
    // Focus moved into the flyout.
    expect(await flyout.evaluate((el) => el.contains(document.activeElement))).toBe(true);

    // Step 1: reset the password right here; it is shown once.
    await flyout.getByTestId('step-reset-password').getByRole('button', { name: 'Reset password' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Yes' }).click();
    const temporary = await flyout.getByTestId('temporary-password').inputValue();
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    expect(await flyout.textContent()).toContain('Never send it by email');
    // Step 4: review the recent messages.
    await flyout.getByRole('checkbox', { name: 'I have reviewed the recent messages' }).check();
    await page.screenshot({ path: path.join(artifacts, 'portal-unblock-flyout.png') });

    await flyout.getByRole('button', { name: 'Submit' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.getByRole('heading').textContent()).toBe('Unblock rob@contoso.com?');
    await confirm.getByRole('button', { name: 'Yes' }).click();

    await page.getByTestId('unblocked-message').waitFor();
    expect(await page.getByTestId('unblocked-message').textContent()).toBe(
      'rob@contoso.com is unblocked and can send email again now.',
    );
    expect(await page.getByTestId('restricted-row-rob@contoso.com').count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'portal-unblocked.png') });

    expect(await server.app.restrictions.activeRestriction(rob.id)).toBeUndefined();
    const history = await server.app.store.stores.restrictions.listByUser(rob.id);
    expect([...(history[0]?.stepsDone ?? [])].sort()).toEqual(['reset-password', 'review-messages']);
  }, 60_000);

  it('speaks the browser language (Dutch), switches to French on request, and remembers it; no raw key on screen', async () => {
    const page = await newPage('nl-NL');
    await page.goto(at(links.restricted()));
    // An API error reads as Dutch: the translated title and a Dutch sentence, never the server's English one.
    await page.getByLabel('E-mailadres').fill(OPS.email);
    await page.getByLabel('Wachtwoord').fill('not the password');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    const signInError = await page.getByTestId('api-error').innerText();
    expect(signInError).toContain('Onjuist e-mailadres of wachtwoord');
    expect(signInError).toContain('Controleer het e-mailadres en het wachtwoord');
    expect(signInError).not.toContain('is not correct');
    // The error bar is labelled by its title, which also says "wachtwoord": match the field's own label.
    await page.getByLabel(/^Wachtwoord/).fill(OPS.password);
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.getByRole('button', { name: 'Uitstellen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Beperkte gebruikers' }).waitFor();
    const diegoRow = page.getByTestId('restricted-row-diego@contoso.com');
    await diegoRow.click();
    expect(await page.getByRole('button', { name: 'Blokkering opheffen' }).isEnabled()).toBe(true);
    expect(await page.getByRole('searchbox').getAttribute('placeholder')).toBe('Naam of e-mailadres');
    // The evidence is worded in Dutch from the numbers the API sends, not the server's English sentence.
    expect(await diegoRow.getByTestId('restricted-reason').innerText()).toBe(
      '612 externe geadresseerden in het afgelopen uur; limiet 500',
    );
    expect(await page.locator('body').innerText()).not.toContain('external recipients');
    await page.screenshot({ path: path.join(artifacts, 'portal-restricted-nl.png'), animations: 'disabled' });

    // The same in the Unblock flyout.
    await page.getByRole('button', { name: 'Blokkering opheffen' }).click();
    const summary = page.getByTestId('evidence-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toContain('externe geadresseerden');
    expect(await page.getByTestId('unblock-drawer').innerText()).not.toContain('external recipients');
    await page.screenshot({ path: path.join(artifacts, 'portal-unblock-flyout-nl.png'), animations: 'disabled' });
    await page.keyboard.press('Escape');
    await page.getByTestId('unblock-drawer').waitFor({ state: 'hidden' });

    // Alerts: a Dutch sentence around the user's address, not the server's English summary.
    await server.app.alerts.raise({
      type: 'user-restricted',
      userId: null,
      userEmail: 'diego@contoso.com',
      summary: 'diego@contoso.com was restricted from sending email until an admin unblocks: 612 external recipients.',
    });
    await page.goto(at(links.alerts()));
    await page.getByRole('heading', { level: 1, name: 'Waarschuwingen' }).waitFor();
    const alertsText = await page.getByTestId('alerts-table').innerText();
    expect(alertsText).toContain('diego@contoso.com is beperkt in het verzenden van e-mail.');
    expect(alertsText).not.toContain('was restricted');
    await page.goto(at(links.restricted()));
    await page.getByRole('heading', { level: 1, name: 'Beperkte gebruikers' }).waitFor();

    await page.getByTestId('language-picker').click();
    await page.getByRole('option', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: 'Utilisateurs restreints' }).waitFor();
    expect(await page.getByRole('button', { name: 'Débloquer' }).count()).toBe(1);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Utilisateurs restreints' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(
      await page.getByTestId('restricted-row-diego@contoso.com').getByTestId('restricted-reason').innerText(),
    ).toBe('612 destinataires externes au cours de la dernière heure\u00a0; limite 500');

    const text = await page.locator('body').innerText();
    const shown = englishKeys().filter((key) => text.includes(key));
    expect(shown).toEqual([]);
    // User data is never translated.
    expect(text).toContain('diego@contoso.com');
  }, 60_000);

  it('Active users: Edit sign-in status blocks Alex through the confirm dialog; Escape closes the flyout and focus returns', async () => {
    const page = await newPage();
    await page.goto(at(links.users({ search: 'alex' })));
    await signIn(page, OPS.email, OPS.password);
    const open = page.getByRole('button', { name: 'Open details of Alex Wilber' });
    await open.click();
    const flyout = page.getByRole('dialog', { name: 'Alex Wilber' });
    await flyout.waitFor();
    await flyout.getByRole('button', { name: 'Edit sign-in status' }).click();
    await flyout.getByRole('radio', { name: 'Block the user from signing in' }).check();
    await flyout.getByTestId('save-sign-in-status').click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.getByRole('heading').textContent()).toBe('Block sign-in for Alex Wilber?');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await flyout.getByText('Sign-in is now blocked for Alex Wilber.').waitFor();
    expect((await server.app.directory.getUser(server.system, 'alex@contoso.com')).signInBlocked).toBe(true);

    await page.keyboard.press('Escape');
    await flyout.waitFor({ state: 'detached' });
    await expect.poll(() => open.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByTestId('users-table').textContent()).toContain('Sign-in blocked');
  }, 60_000);

  it('a session that ends sends the user to sign-in, and back to the page they asked for afterwards', async () => {
    const page = await newPage();
    await page.goto(at(links.home()));
    await signIn(page, OPS.email, OPS.password);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.context().clearCookies();
    await page.getByTestId('nav-alerts').click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe(links.alerts());
    await signIn(page, OPS.email, OPS.password);
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(links.alerts());
  }, 60_000);

  it('self-service: Megan resets her own password with the code sent to her alternate email, then signs in with it', async () => {
    const page = await newPage('ro-RO');
    await page.goto(at(links.forgotPassword()));
    await page.getByRole('heading', { level: 1, name: 'Resetați-vă parola' }).waitFor();
    await page.getByLabel(/^Adresă de e-mail/).fill('megan@contoso.com');
    await page.getByRole('button', { name: 'Trimitere cod' }).click();
    await page.getByLabel(/^Codul din e-mail/).waitFor();

    // The code travels by email to the alternate address; the capture outbox holds it.
    const outbox = server.app.outbox;
    if (outbox === null) throw new Error('The test server runs without a next hop, so it must have a capture outbox.');
    let code: string | undefined;
    await expect
      .poll(async () => {
        const entry = (await outbox.list()).find((e) => e.to.includes('megan.bowen@example.net'));
        if (entry === undefined) return undefined;
        code = /Your code: (\d{6,8})/.exec((await outbox.read(entry.id)).raw.toString('utf8'))?.[1];
        return code;
      })
      .toMatch(/^\d{6,8}$/);

    await page.getByLabel(/^Codul din e-mail/).fill(code!);
    await page.getByLabel(/^Parolă nouă/).fill('velvet canyon pepper ladder 58');
    await page.getByLabel(/^Confirmați parola nouă/).fill('velvet canyon pepper ladder 58');
    await page.getByRole('button', { name: 'Setare parolă nouă' }).click();
    await page.getByText('Parola a fost schimbată. Vă puteți conecta cu ea acum.').waitFor();

    await page.getByRole('link', { name: 'Înapoi la conectare' }).click();
    await page.getByLabel(/^Adresă de e-mail/).fill('megan@contoso.com');
    await page
      .getByLabel(/^Parolă/)
      .first()
      .fill('velvet canyon pepper ladder 58');
    await page.getByRole('button', { name: 'Conectare' }).click();
    // Megan holds no admin role: Home offers her own account, not the admin overview.
    await page.getByText('Sunteți conectat ca megan@contoso.com.', { exact: false }).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'portal-user-home-ro.png') });
  }, 60_000);

  it('has no serious or critical axe-core violations on the main pages', async () => {
    const axeSource = readFileSync(path.join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');
    // The portal's CSP allows no inline script; the test injects axe-core past it.
    const page = await newPage('en-US', { bypassCSP: true });
    const scan = async (name: string) => {
      await page.addScriptTag({ content: axeSource });
      const result = (await page.evaluate(() =>
        // Tabster's focus sentinels are aria-hidden by design and hand focus on at once.
        (window as unknown as { axe: { run: (ctx: object, opts: object) => Promise<unknown> } }).axe.run(
          { exclude: [['[data-tabster-dummy]']] },
          {
            resultTypes: ['violations'],
          },
        ),
      )) as { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    const problems: string[] = [];
    await page.goto(at(links.signIn()));
    await page.getByRole('heading', { level: 1 }).waitFor();
    problems.push(...(await scan('sign-in')));
    await signIn(page, OPS.email, OPS.password);
    for (const [name, href, heading] of [
      ['home', links.home(), 'Home'],
      ['restricted', links.restricted(), 'Restricted users'],
      ['alerts', links.alerts(), 'Alerts'],
      ['policies', links.policies(), 'Policies'],
      ['audit', links.audit(), 'Audit log'],
    ] as const) {
      await page.goto(at(href));
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page
        .locator('[role=progressbar]')
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      problems.push(...(await scan(name)));
    }
    await page.goto(at(links.users({ user: 'megan@contoso.com' })));
    await page.getByRole('dialog', { name: 'Megan Bowen' }).waitFor();
    problems.push(...(await scan('user flyout')));
    await page.screenshot({ path: path.join(artifacts, 'portal-user-flyout.png') });
    expect(problems).toEqual([]);
  }, 90_000);
});

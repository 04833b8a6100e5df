/**
 * The portal in a real Chromium against a real Sendwarden (SQLite, in-process counters, capture
 * outbox, the built portal). What a user would notice if these failed: the first admin cannot get
 * in; Unblock does not free a restricted sender, or the row stays in the list; the page is not in
 * the user's language; a flyout traps or loses keyboard focus; an app
 * password made in the portal does not let a mail program send, or still does after it is revoked;
 * a custom policy added in the Dutch portal is not listed.
 * Fakes: none. Screenshots go to test/artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links } from '../../src/adapters/portal/app/routes.js';
import { SmtpTestClient } from '../support/smtp-client.js';
import { CHROMIUM, HAS_CHROMIUM, artifacts, englishKeys, launchChromium, repoRoot } from './browser-harness.js';
import { OPS, signInContext, startPortalWithAdmin } from './portal-server.js';
import type { PortalServer } from './portal-server.js';

// CI installs Chromium (.ci/run) and must not skip the browser suite; a newcomer's machine may lack it.
if (!HAS_CHROMIUM && process.env['SENDWARDEN_REQUIRE_SERVICES'] === '1') {
  throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist (apt-get install -y chromium)`);
}
if (!HAS_CHROMIUM)
  console.warn(`[sendwarden] ${CHROMIUM} not found: skipping the browser suite (apt-get install -y chromium)`);
const PAT = { email: 'pat@contoso.com', password: 'quartz meadow saddle onion 42' };

describe.skipIf(!HAS_CHROMIUM)('portal in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startPortalWithAdmin();
    // A mail user with no admin role (no second factor asked) for My account.
    const pat = await server.app.directory.addUser(server.system, { email: PAT.email, displayName: 'Pat Miller' });
    await server.app.directory.resetPassword(server.system, pat.id, {
      password: PAT.password,
      mustChangePassword: false,
    });
    browser = await launchChromium();
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
    // The unfiltered list (rob and diego) may still be on screen for a moment: wait for the search's answer.
    await expect.poll(() => page.getByTestId('restricted-table').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('restricted-table').textContent()).toContain('Until an admin unblocks');

    await page.getByRole('radio', { name: 'Select rob@contoso.com' }).check();
    await page.getByRole('button', { name: 'Unblock', exact: true }).click();
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
    await flyout.waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(artifacts, 'portal-unblocked.png'), animations: 'disabled' });

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
    expect(await page.getByRole('button', { name: 'Blokkering opheffen', exact: true }).isEnabled()).toBe(true);
    expect(await page.getByRole('searchbox').getAttribute('placeholder')).toBe('Naam of e-mailadres');
    // The evidence is worded in Dutch from the numbers the API sends, not the server's English sentence.
    expect(await diegoRow.getByTestId('restricted-reason').innerText()).toBe(
      '612 externe geadresseerden in het afgelopen uur; limiet 500',
    );
    expect(await page.locator('body').innerText()).not.toContain('external recipients');
    await page.screenshot({ path: path.join(artifacts, 'portal-restricted-nl.png'), animations: 'disabled' });

    // The same in the Unblock flyout.
    await page.getByRole('button', { name: 'Blokkering opheffen', exact: true }).click();
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
    expect(await page.getByRole('button', { name: 'Débloquer', exact: true }).count()).toBe(1);
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

    // Allow sign-in again through the same flow; allowing asks no confirmation.
    await open.click();
    await flyout.waitFor();
    await flyout.getByRole('button', { name: 'Edit sign-in status' }).click();
    const allow = flyout.getByRole('radio', { name: 'Allow the user to sign in' });
    expect(await allow.isChecked()).toBe(false);
    await allow.check();
    await flyout.getByTestId('save-sign-in-status').click();
    await flyout.getByText('Alex Wilber can sign in again.').waitFor();
    expect(await page.getByTestId('confirm-dialog').count()).toBe(0);
    expect((await server.app.directory.getUser(server.system, 'alex@contoso.com')).signInBlocked).toBe(false);
    await expect.poll(() => flyout.innerText()).not.toContain('Sign-in blocked');
    await expect.poll(() => page.getByTestId('users-table').innerText()).not.toContain('Sign-in blocked');
    await page.screenshot({ path: path.join(artifacts, 'portal-sign-in-allowed.png'), animations: 'disabled' });
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
    // The reset page has an e-mail field too: fill the sign-in form only once it is on screen.
    await page.getByRole('heading', { level: 1, name: 'Conectare' }).waitFor();
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

  it('My account: a mail user creates an app password that works for SMTP AUTH, then revokes it and SMTP AUTH fails', async () => {
    const smtpAuth = async (password: string): Promise<string> => {
      const client = await SmtpTestClient.connect(server.smtpPort);
      try {
        return await client.signIn(PAT.email, password);
      } finally {
        client.destroy();
      }
    };
    const page = await newPage();
    await page.goto(at(links.account()));
    // A mail user has no second factor to pass: straight from the password to the page asked for.
    await page.getByLabel('Email address').fill(PAT.email);
    await page.getByLabel('Password').fill(PAT.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    expect(await page.getByTestId('nav-account').getAttribute('aria-current')).toBe('page');
    expect(await page.getByTestId('sessions-table').getByTestId('session-current').innerText()).toContain(
      'This session',
    );

    const appPasswords = page.getByTestId('app-passwords');
    await appPasswords.getByRole('button', { name: 'Create app password' }).click();
    expect(await appPasswords.getByText('Enter a name.').count()).toBe(1);
    await appPasswords.getByLabel(/^Name/).fill('Thunderbird');
    await appPasswords.getByRole('button', { name: 'Create app password' }).click();
    const created = page.getByTestId('app-password-created');
    await created.waitFor();
    const password = await created.getByTestId('app-password-value').inputValue();
    expect(password).toMatch(/^\S{16,}$/);
    expect(await created.innerText()).toContain(
      `In your mail program, enter this password instead of your account password. The user name stays ${PAT.email}.`,
    );
    expect(await created.innerText()).toContain('Copy it now: it is shown only once.');
    await created.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByTestId('app-password-row-Thunderbird').waitFor();
    await page.screenshot({ path: path.join(artifacts, 'portal-app-password-created.png'), fullPage: true });

    // The mail program signs in with it (and the account password still works for the portal only as before).
    expect(await smtpAuth(password)).toMatch(/^235 /);
    await page.reload();
    const row = page.getByTestId('app-password-row-Thunderbird');
    await row.waitFor();
    expect(await row.innerText()).not.toContain('Never');
    // Shown once: after a reload the password is nowhere on the page.
    expect(await page.locator('body').innerText()).not.toContain(password);

    await row.getByRole('button', { name: 'Revoke app password Thunderbird' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.getByRole('heading').textContent()).toBe('Revoke the app password “Thunderbird”?');
    expect(await confirm.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'portal-app-password-revoke.png') });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('app-password-notice').waitFor();
    expect(await page.getByTestId('app-password-notice').innerText()).toBe(
      'The app password “Thunderbird” is revoked.',
    );
    await confirm.waitFor({ state: 'detached' });
    expect(await page.getByTestId('app-password-row-Thunderbird').count()).toBe(0);
    // Focus did not fall out of the page onto <body>.
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body)).toBe(true);

    expect(await smtpAuth(password)).toBe('535 5.7.8 Authentication credentials invalid');
  }, 60_000);

  it('Policies in Dutch: an admin adds a custom policy for the group Sales, with translated validation, and sees it listed', async () => {
    const page = await newPage('nl-NL');
    await signInContext(server, page.context());
    await page.goto(at(links.policies()));
    await page.getByRole('heading', { level: 1, name: 'Beleid' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Aangepast beleid' }).waitFor();
    // The list loads after the heading shows ("Laden…" first): wait for it, as a reader would.
    await page.getByText('Er is geen aangepast beleid: het standaardbeleid geldt voor iedereen.').waitFor();

    const add = page.getByRole('button', { name: 'Aangepast beleid toevoegen' });
    await add.click();
    const drawer = page.getByRole('dialog', { name: 'Aangepast beleid toevoegen' });
    await drawer.waitFor();
    await expect.poll(() => drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);

    // Saving an empty form shows the same kind of translated errors as the default editor.
    await drawer.getByRole('button', { name: 'Opslaan' }).click();
    await drawer.getByText('Voer een naam in.').waitFor();
    await drawer.getByText('Noem ten minste één gebruiker, groep of domein waarvoor dit beleid geldt.').waitFor();
    await drawer.getByLabel(/^Externe geadresseerden per uur/).fill('-5');
    await drawer.getByRole('button', { name: 'Opslaan' }).click();
    await drawer.getByText('Voer een geheel getal van 0 tot 100.000 in.').waitFor();

    await drawer.getByLabel(/^Naam/).fill('Verkoop');
    await drawer.getByLabel(/^Groepen/).fill('Sales');
    await drawer.getByLabel(/^Externe geadresseerden per uur/).fill('200');
    await page.screenshot({ path: path.join(artifacts, 'portal-custom-policy-nl.png') });
    await drawer.getByRole('button', { name: 'Opslaan' }).click();
    await drawer.waitFor({ state: 'detached' });

    expect(await page.getByTestId('custom-policy-notice').innerText()).toBe(
      'Het beleid “Verkoop” is toegevoegd en geldt meteen.',
    );
    const row = page.getByTestId('custom-policy-row-Verkoop');
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('Groepen: Sales');
    expect(text).toContain('200 externe geadresseerden per uur');
    // Focus went back to the button that opened the flyout.
    await expect.poll(() => add.evaluate((el) => el === document.activeElement)).toBe(true);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: path.join(artifacts, 'portal-custom-policies-nl.png'),
      fullPage: true,
      animations: 'disabled',
    });

    const stored = (await server.app.policyAdmin.list(server.system)).find((p) => p.name === 'Verkoop');
    expect(stored?.scope.groups).toEqual(['Sales']);
    expect(stored?.limits.externalPerHour).toBe(200);
    expect(await page.locator('body').innerText()).not.toMatch(/customPolicies\.|account\./);
  }, 60_000);

  it('one full pass in Dutch: sign in, find rob, reset his password, block and allow sign-in, unblock him from Beperkte gebruikers', async () => {
    const page = await newPage('nl-NL');
    const shot = (name: string) =>
      page.screenshot({ path: path.join(artifacts, `portal-nl-${name}.png`), animations: 'disabled' });
    // English product wording that must not show in the Dutch portal: the plain strings of these
    // groups whose Dutch differs ("Status" is the same word in both).
    const catalogue = (lang: string) =>
      JSON.parse(readFileSync(path.join(repoRoot, `src/adapters/portal/app/i18n/${lang}.json`), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
    const [en, nl] = [catalogue('en'), catalogue('nl')];
    const groups = [
      'nav',
      'actions',
      'common',
      'status',
      'signIn',
      'signInStatus',
      'secret',
      'users',
      'restricted',
      'unblock',
    ];
    const englishTerms = groups.flatMap((group) =>
      Object.entries(en[group] ?? {})
        .filter(([key, v]) => typeof v === 'string' && !v.includes('{') && v !== nl[group]?.[key])
        .map(([, v]) => v as string),
    );
    expect(englishTerms).toEqual(
      expect.arrayContaining(['Active users', 'Reset password', 'Unblock', 'Submit', 'Yes']),
    );
    const englishOnScreen = async () => {
      const text = await page.locator('body').innerText();
      const escape = (term: string) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return [
        ...englishTerms.filter((term) => new RegExp(`(^|[^\\p{L}])${escape(term)}($|[^\\p{L}])`, 'u').test(text)),
        ...englishKeys().filter((key) => text.includes(key)),
      ];
    };

    await page.goto(at(links.users()));
    await page.getByRole('heading', { level: 1, name: 'Aanmelden' }).waitFor();
    await shot('1-sign-in');
    expect(await englishOnScreen()).toEqual([]);
    await signIn(page, OPS.email, OPS.password, {
      email: 'E-mailadres',
      password: 'Wachtwoord',
      submit: 'Aanmelden',
      postpone: 'Uitstellen',
    });

    // Actieve gebruikers: "rob" finds rob@contoso.com.
    await page.getByRole('heading', { level: 1, name: 'Actieve gebruikers' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(links.users());
    expect(await page.getByRole('searchbox').getAttribute('placeholder')).toBe('Naam of e-mailadres');
    await page.getByRole('searchbox').fill('rob');
    await page.keyboard.press('Enter');
    const table = page.getByTestId('users-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.innerText()).toContain('rob@contoso.com');
    await shot('2-active-users');
    expect(await englishOnScreen()).toEqual([]);

    // Wachtwoord opnieuw instellen: confirmed with Ja, the new password shown once.
    await page.getByRole('button', { name: 'Details van Rob Young openen' }).click();
    const flyout = page.getByRole('dialog', { name: 'Rob Young' });
    await flyout.waitFor();
    const toolbar = flyout.getByRole('toolbar', { name: 'Acties voor deze gebruiker' });
    await toolbar.getByRole('button', { name: 'Wachtwoord opnieuw instellen' }).click();
    await flyout.getByTestId('reset-password').click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.getByRole('heading').textContent()).toBe('Het wachtwoord van Rob Young opnieuw instellen?');
    await confirm.getByRole('button', { name: 'Ja' }).click();
    const temporary = await flyout.getByTestId('temporary-password').inputValue();
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    const flyoutText = await flyout.innerText();
    expect(flyoutText).toContain('Dit wachtwoord wordt maar één keer getoond.');
    expect(flyoutText).toContain('Stuur het nooit per e-mail');
    await shot('3-reset-password');
    expect(await englishOnScreen()).toEqual([]);

    // Aanmeldstatus bewerken: block (confirmed with Ja); the password shown once is gone from the flyout.
    await toolbar.getByRole('button', { name: 'Aanmeldstatus bewerken' }).click();
    expect(await flyout.innerText()).not.toContain(temporary);
    await flyout.getByRole('radio', { name: 'De gebruiker blokkeren voor aanmelden' }).check();
    await flyout.getByRole('button', { name: 'Opslaan' }).click();
    expect(await confirm.getByRole('heading').textContent()).toBe('Aanmelden blokkeren voor Rob Young?');
    await confirm.getByRole('button', { name: 'Ja' }).click();
    await flyout.getByText('Aanmelden is nu geblokkeerd voor Rob Young.').waitFor();
    expect((await server.app.directory.getUser(server.system, 'rob@contoso.com')).signInBlocked).toBe(true);
    await expect(
      server.app.sessions.signIn({ email: 'rob@contoso.com', password: temporary, address: null, userAgent: null }),
    ).rejects.toMatchObject({ code: 'SIGN_IN_BLOCKED' });
    await expect.poll(() => table.innerText()).toContain('Aanmelden geblokkeerd');
    await shot('4-sign-in-blocked');
    expect(await englishOnScreen()).toEqual([]);

    // ... and allow sign-in again (no confirmation for allowing); the new password now works.
    await flyout.getByRole('radio', { name: 'De gebruiker toestaan zich aan te melden' }).check();
    await flyout.getByRole('button', { name: 'Opslaan' }).click();
    await flyout.getByText('Rob Young kan zich weer aanmelden.').waitFor();
    await expect.poll(() => confirm.count()).toBe(0);
    expect((await server.app.directory.getUser(server.system, 'rob@contoso.com')).signInBlocked).toBe(false);
    const robSession = await server.app.sessions.signIn({
      email: 'rob@contoso.com',
      password: temporary,
      address: null,
      userAgent: null,
    });
    expect(robSession.user.email).toBe('rob@contoso.com');
    await expect.poll(() => table.innerText()).not.toContain('Aanmelden geblokkeerd');
    await shot('5-sign-in-allowed');
    expect(await englishOnScreen()).toEqual([]);
    await page.keyboard.press('Escape');
    await flyout.waitFor({ state: 'detached' });

    // Restricted by the core (6 external recipients in an hour, limit 5), as the sending path would.
    await server.app.restrictions.restrictUser({
      userId: robSession.user.id,
      kind: 'until-unblocked',
      evidence: {
        rule: 'external-per-hour',
        summary: '6 external recipients in the last hour; limit 5',
        counts: { 'external-per-hour': 6 },
        limit: 5,
      },
    });

    await page.getByTestId('nav-restricted').click();
    await page.getByRole('heading', { level: 1, name: 'Beperkte gebruikers' }).waitFor();
    await page.getByRole('searchbox').fill('rob');
    await page.keyboard.press('Enter');
    const robRow = page.getByTestId('restricted-row-rob@contoso.com');
    await robRow.waitFor();
    await expect.poll(() => page.getByTestId('restricted-table').locator('tbody tr').count()).toBe(1);
    expect(await robRow.getByTestId('restricted-reason').innerText()).toBe(
      '6 externe geadresseerden in het afgelopen uur; limiet 5',
    );
    expect(await robRow.innerText()).toContain('Tot een beheerder de blokkering opheft');
    await page.getByRole('radio', { name: 'rob@contoso.com selecteren' }).check();
    await shot('6-restricted');
    expect(await englishOnScreen()).toEqual([]);

    await page.getByRole('button', { name: 'Blokkering opheffen', exact: true }).click();
    const unblock = page.getByRole('dialog', { name: 'Blokkering opheffen voor rob@contoso.com' });
    await unblock.waitFor();
    expect(await unblock.getByTestId('evidence-summary').innerText()).toBe(
      '6 externe geadresseerden in het afgelopen uur; limiet 5',
    );
    await unblock.getByRole('checkbox', { name: 'Ik heb de recente berichten gecontroleerd' }).check();
    await shot('7-unblock-flyout');
    expect(await englishOnScreen()).toEqual([]);

    await unblock.getByRole('button', { name: 'Verzenden' }).click();
    expect(await confirm.getByRole('heading').textContent()).toBe('Blokkering opheffen voor rob@contoso.com?');
    expect(await confirm.innerText()).toContain('1 aanbevolen stap wordt bij het opheffen vastgelegd.');
    await shot('8-unblock-confirm');
    expect(await englishOnScreen()).toEqual([]);
    await confirm.getByRole('button', { name: 'Ja' }).click();

    const message = page.getByTestId('unblocked-message');
    await message.waitFor();
    expect(await message.innerText()).toBe(
      'De blokkering van rob@contoso.com is opgeheven. Deze gebruiker kan nu weer e-mail verzenden.',
    );
    await unblock.waitFor({ state: 'hidden' });
    expect(await robRow.count()).toBe(0);
    await shot('9-unblocked');
    expect(await englishOnScreen()).toEqual([]);
    expect(await server.app.restrictions.activeRestriction(robSession.user.id)).toBeUndefined();
  }, 90_000);
});

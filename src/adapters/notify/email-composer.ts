import { IntlMessageFormat } from 'intl-messageformat';
import type { Alert } from '../../core/alerts/alert.js';
import type { Language, Locale } from '../../core/directory/locale.js';
import type { ComposedEmail, EmailComposer, EmailReader } from '../../ports/email-composer.js';
import { alertSummaryMessage } from '../shared/alert-summary.js';

/** One language's catalogue: the portal's JSON, nested objects of ICU messages. */
export type Catalogue = Readonly<Record<string, unknown>>;

/** Where each email's link points, as portal paths (built by the portal's own link builders). */
export interface EmailLinks {
  readonly resetPage: (email: string) => string;
  readonly signIn: () => string;
  readonly alerts: () => string;
  readonly restrictedUser: (email: string, userId: string) => string;
}

/** What the composer is built from. */
export interface EmailComposerDeps {
  /** The portal's five catalogues (src/adapters/portal/app/i18n/*.json); English is the fallback. */
  readonly catalogues: Readonly<Record<Language, Catalogue>>;
  /** The organisation's language and time zone (SENDWARDEN_LANGUAGE, SENDWARDEN_TIME_ZONE). */
  readonly fallback: Locale;
  /** SENDWARDEN_PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string;
  readonly links: EmailLinks;
}

/** HTML text and attribute escaping: every value that reaches the HTML part goes through it. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lookup(catalogue: Catalogue, key: string): string | undefined {
  let node: unknown = catalogue;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** One paragraph of an email: its text, and optionally a link under it. */
interface Block {
  readonly text: string;
  readonly strong?: boolean;
}

/**
 * The EmailComposer on the portal's ICU catalogues (the same messages, the same parser as the
 * portal's i18next-icu): each email in the reader's language, times formatted by Intl.DateTimeFormat
 * in the reader's time zone, as text and as HTML whose every value is escaped.
 */
export class CatalogueEmailComposer implements EmailComposer {
  readonly #d: EmailComposerDeps;
  readonly #cache = new Map<string, IntlMessageFormat>();

  constructor(deps: EmailComposerDeps) {
    this.#d = deps;
  }

  async resetCode(
    reader: EmailReader,
    input: { account: string; code: string; minutes: number },
  ): Promise<ComposedEmail> {
    const l = this.#locale(reader);
    const t = (key: string, values?: Record<string, string | number>) => this.#t(l, `email.resetCode.${key}`, values);
    return this.#compose(
      l,
      t('subject'),
      [
        { text: t('intro', { account: input.account }) },
        { text: t('code', { code: input.code }), strong: true },
        { text: t('validity', { minutes: input.minutes }) },
      ],
      { label: t('action'), path: this.#d.links.resetPage(input.account) },
    );
  }

  async passwordChanged(reader: EmailReader, input: { account: string; at: Date }): Promise<ComposedEmail> {
    const l = this.#locale(reader);
    const t = (key: string, values?: Record<string, string | number>) =>
      this.#t(l, `email.passwordChanged.${key}`, values);
    return this.#compose(
      l,
      t('subject'),
      [{ text: t('body', { account: input.account, at: this.#dateTime(l, input.at) }) }, { text: t('warning') }],
      { label: t('action'), path: this.#d.links.signIn() },
    );
  }

  async alert(reader: EmailReader, alert: Alert): Promise<ComposedEmail> {
    const l = this.#locale(reader);
    const titleKey = `alerts.types.${alert.type}`;
    const title = this.#has(l, titleKey) ? this.#t(l, titleKey) : alert.title;
    const email = alert.userEmail ?? '';
    const subject =
      email === ''
        ? this.#t(l, 'email.alert.subjectNoUser', { title })
        : this.#t(l, 'email.alert.subject', { title, email });
    const blocks: Block[] = [
      { text: this.#summary(l, alert) },
      { text: this.#t(l, 'email.alert.severity', { severity: this.#t(l, `alerts.severities.${alert.severity}`) }) },
      { text: this.#t(l, 'email.alert.time', { at: this.#dateTime(l, alert.createdAt) }) },
    ];
    const link =
      alert.type === 'user-restricted' && alert.userId !== null && email !== ''
        ? {
            label: this.#t(l, 'email.alert.restrictedAction', { email }),
            path: this.#d.links.restrictedUser(email, alert.userId),
          }
        : { label: this.#t(l, 'email.alert.action'), path: this.#d.links.alerts() };
    return this.#compose(l, subject, blocks, link);
  }

  #summary(l: Locale, alert: Alert): string {
    const m = alertSummaryMessage(alert);
    const dates = Object.fromEntries(Object.entries(m.dates).map(([k, d]) => [k, this.#dateTime(l, d)]));
    if (this.#has(l, m.key)) return this.#t(l, m.key, { ...m.values, ...dates });
    return alert.summary;
  }

  #compose(l: Locale, subject: string, blocks: readonly Block[], link: { label: string; path: string }): ComposedEmail {
    const url = `${this.#d.publicUrl}${link.path}`;
    const footer = this.#t(l, 'email.footer');
    const text = [...blocks.map((b) => b.text), `${link.label}\n${url}`, `-- \n${footer}`].join('\n\n') + '\n';
    const p = (b: Block) =>
      b.strong
        ? // On a line of its own, so no encoder line break falls inside it (the outbox masks it by its text).
          `<p style="margin:0 0 16px"><strong style="font-size:20px;letter-spacing:2px">\n${escapeHtml(b.text)}\n</strong></p>`
        : `<p style="margin:0 0 16px">${escapeHtml(b.text)}</p>`;
    const html =
      `<!DOCTYPE html><html lang="${l.language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
      `<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#242424;line-height:1.5">\n` +
      blocks.map(p).join('\n') +
      `\n<p style="margin:0 0 16px"><a href="${escapeHtml(url)}" style="color:#0f6cbd">${escapeHtml(link.label)}</a></p>\n` +
      `<p style="margin:24px 0 0;color:#616161;font-size:12px">${escapeHtml(footer)}</p>\n</body></html>\n`;
    return { subject, text, html };
  }

  #locale(reader: EmailReader): Locale {
    return {
      language: reader.language ?? this.#d.fallback.language,
      timeZone: reader.timeZone ?? this.#d.fallback.timeZone,
    };
  }

  #has(l: Locale, key: string): boolean {
    return lookup(this.#d.catalogues[l.language], key) !== undefined;
  }

  #t(l: Locale, key: string, values?: Record<string, string | number>): string {
    const own = lookup(this.#d.catalogues[l.language], key);
    const language = own === undefined ? 'en' : l.language;
    const message = own ?? lookup(this.#d.catalogues.en, key);
    if (message === undefined) throw new Error(`The email catalogue has no message "${key}".`);
    const cacheKey = `${language}\u0000${key}`;
    let format = this.#cache.get(cacheKey);
    if (format === undefined) {
      format = new IntlMessageFormat(message, language);
      this.#cache.set(cacheKey, format);
    }
    return String(format.format(values));
  }

  /** A date and time in the reader's language and zone, with the zone's short name ("CET", "GMT+1"). */
  #dateTime(l: Locale, d: Date): string {
    return (
      new Intl.DateTimeFormat(l.language, {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: l.timeZone,
      }).format(d) + ` (${zoneName(l, d)})`
    );
  }
}

function zoneName(l: Locale, d: Date): string {
  const part = new Intl.DateTimeFormat(l.language, { timeZone: l.timeZone, timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? l.timeZone;
}

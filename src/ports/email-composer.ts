import type { Alert } from '../core/alerts/alert.js';
import type { Language } from '../core/directory/locale.js';

/** Whom an email is written for: their own language and time zone, or null for the organisation's. */
export interface EmailReader {
  readonly language?: Language | null | undefined;
  readonly timeZone?: string | null | undefined;
}

/** One email, ready to send: subject, plain text and HTML (user content escaped), the same words in both. */
export interface ComposedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Writes every email Sendwarden sends, in the reader's language and time zone, from the portal's
 * catalogues, each with a link to the portal page that acts on it (built from the public URL).
 */
export interface EmailComposer {
  /** The self-service reset code for `account`, valid `minutes`; links to the reset page. */
  resetCode(
    reader: EmailReader,
    input: { readonly account: string; readonly code: string; readonly minutes: number },
  ): Promise<ComposedEmail>;
  /** The notice that `account`'s password was changed through self-service reset at `at`. */
  passwordChanged(reader: EmailReader, input: { readonly account: string; readonly at: Date }): Promise<ComposedEmail>;
  /** An alert to one admin; links to the alert (and the restricted user, when there is one). */
  alert(reader: EmailReader, alert: Alert): Promise<ComposedEmail>;
}

import { DomainError } from '../errors.js';

/** The languages Sendwarden speaks (portal and email), as BCP 47 base tags. */
export const LANGUAGES = ['en', 'fr', 'nb', 'nl', 'ro'] as const;
/** One language of LANGUAGES. */
export type Language = (typeof LANGUAGES)[number];

/** The language and time zone one email is written for. */
export interface Locale {
  readonly language: Language;
  /** An IANA time zone name such as "Europe/Amsterdam" or "UTC". */
  readonly timeZone: string;
}

/** True when `value` is one of LANGUAGES. */
export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

// Region/City names (and UTC); Intl also accepts offsets like "+01:00", which are no IANA zone.
const ZONE_NAME = /^(?:UTC|GMT|[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*){1,2})$/;

/** `value` lower-cased when it is a language; throws INVALID_INPUT naming `field` otherwise. */
export function validateLanguage(value: string, field = 'language'): Language {
  const v = value.trim().toLowerCase();
  if (isLanguage(v)) return v;
  throw new DomainError(
    'INVALID_INPUT',
    `"${value}" is not a language Sendwarden speaks. Languages: ${LANGUAGES.join(', ')}.`,
    {
      details: { field },
    },
  );
}

/**
 * The canonical IANA name of `value` (as Intl resolves it, e.g. "europe/amsterdam" -> "Europe/Amsterdam");
 * throws INVALID_INPUT naming `field` for anything else.
 */
export function validateTimeZone(value: string, field = 'timeZone'): string {
  const v = value.trim();
  const refuse = () =>
    new DomainError('INVALID_INPUT', `"${value}" is not an IANA time zone (for example Europe/Amsterdam or UTC).`, {
      details: { field },
    });
  if (!ZONE_NAME.test(v)) throw refuse();
  try {
    return new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    throw refuse();
  }
}

/** The user's own language and time zone where set, else the organisation's defaults. */
export function localeOf(
  user: { readonly language?: Language | null | undefined; readonly timeZone?: string | null | undefined } | undefined,
  fallback: Locale,
): Locale {
  return { language: user?.language ?? fallback.language, timeZone: user?.timeZone ?? fallback.timeZone };
}

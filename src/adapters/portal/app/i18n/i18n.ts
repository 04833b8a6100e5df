import i18next from 'i18next';
import ICU from 'i18next-icu';
import { initReactI18next } from 'react-i18next';

/** The five shipped languages; English is the source catalogue and the fallback. */
export const LANGUAGES = ['en', 'nl', 'nb', 'ro', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language named in itself (endonyms are never translated). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  nl: 'Nederlands',
  nb: 'Norsk bokmål',
  ro: 'Română',
  fr: 'Français',
};

const STORAGE_KEY = 'sendwarden.language';

type Catalogue = Record<string, unknown>;

// One chunk per language: only the chosen catalogue is downloaded.
const loaders: Readonly<Record<Language, () => Promise<{ default: Catalogue }>>> = {
  en: () => import('./en.json'),
  nl: () => import('./nl.json'),
  nb: () => import('./nb.json'),
  ro: () => import('./ro.json'),
  fr: () => import('./fr.json'),
};

function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The saved choice first, then the browser's languages in order ("nb-NO" -> nb; "no" and "nn" -> nb,
 * the only Norwegian we ship), then English.
 */
export function pickLanguage(saved: string | null, browserLanguages: readonly string[]): Language {
  if (saved !== null && isLanguage(saved)) return saved;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLanguage(base)) return base;
    if (base === 'no' || base === 'nn') return 'nb';
  }
  return 'en';
}

function readSaved(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode): fall back to the browser's languages
  }
}

async function ensureLoaded(lng: Language): Promise<void> {
  if (i18next.hasResourceBundle(lng, 'translation')) return;
  const catalogue = await loaders[lng]();
  i18next.addResourceBundle(lng, 'translation', catalogue.default, true, true);
}

/** Loads the picked language (and English as fallback) and initialises i18next with ICU messages. */
export async function initI18n(): Promise<Language> {
  const lng = pickLanguage(readSaved(), navigator.languages ?? [navigator.language]);
  await i18next
    .use(new ICU())
    .use(initReactI18next)
    .init({
      lng,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      resources: {},
      partialBundledLanguages: true,
      interpolation: { escapeValue: false },
      react: { useSuspense: false },
      returnNull: false,
    });
  await Promise.all([ensureLoaded('en'), ensureLoaded(lng)]);
  await i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  return lng;
}

/** Switches the language at once and remembers it in this browser. */
export async function switchLanguage(lng: Language): Promise<void> {
  await ensureLoaded(lng);
  await i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

/** The active language as one of ours. */
export function currentLanguage(): Language {
  const lng = i18next.language;
  return isLanguage(lng) ? lng : 'en';
}

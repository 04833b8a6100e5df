/** The email composer on the portal's own catalogues and link builders (loaded only when email is sent). */
import { CatalogueEmailComposer } from '../adapters/notify/email-composer.js';
import en from '../adapters/portal/app/i18n/en.json' with { type: 'json' };
import fr from '../adapters/portal/app/i18n/fr.json' with { type: 'json' };
import nb from '../adapters/portal/app/i18n/nb.json' with { type: 'json' };
import nl from '../adapters/portal/app/i18n/nl.json' with { type: 'json' };
import ro from '../adapters/portal/app/i18n/ro.json' with { type: 'json' };
import { links } from '../adapters/portal/app/routes.js';
import type { Language } from '../core/directory/locale.js';

/** What the composer needs of the configuration. */
export interface EmailSettings {
  /** SENDWARDEN_LANGUAGE. */
  readonly language: Language;
  /** SENDWARDEN_TIME_ZONE. */
  readonly timeZone: string;
  /** SENDWARDEN_PUBLIC_URL (or its default). */
  readonly publicUrl: string;
}

/** Every email in the reader's language, with links into the portal at `publicUrl`. */
export function createEmailComposer(settings: EmailSettings): CatalogueEmailComposer {
  return new CatalogueEmailComposer({
    catalogues: { en, fr, nb, nl, ro },
    fallback: { language: settings.language, timeZone: settings.timeZone },
    publicUrl: settings.publicUrl.replace(/\/+$/, ''),
    links: {
      resetPage: (email) => links.forgotPassword({ email }),
      signIn: () => links.signIn(),
      alerts: () => links.alerts({ status: 'all' }),
      restrictedUser: (email, userId) => links.restricted({ search: email, user: userId }),
    },
  });
}

/**
 * Phrases typical of phishing and spam, per shipped language (en, nl, nb, ro, fr). They are
 * matched after lower-casing and removing diacritics (so "verificati contul" written without
 * the comma-below still matches), on word boundaries, longest first; a match consumes its text
 * so "vous avez gagné" counts once, not also as "gagné".
 */
export const SPAM_PHRASES: Readonly<Record<'en' | 'nl' | 'nb' | 'ro' | 'fr', readonly string[]>> = {
  en: [
    'verify your account',
    'confirm your password',
    'your account will be suspended',
    'urgent wire transfer',
    'you have won',
    'claim your prize',
    'act now',
    '100% free',
    'risk-free investment',
    'dear beneficiary',
  ],
  nl: [
    'uw account verifiëren',
    'verifieer uw account',
    'bevestig uw wachtwoord',
    'uw account wordt geblokkeerd',
    'dringende overboeking',
    'u heeft gewonnen',
    'je hebt gewonnen',
    'claim uw prijs',
  ],
  nb: [
    'bekreft kontoen',
    'verifiser kontoen',
    'bekreft passordet',
    'kontoen din vil bli stengt',
    'haster overføring',
    'du har vunnet',
    'hent premien',
  ],
  ro: [
    'verificați contul',
    'confirmați parola',
    'contul va fi suspendat',
    'transfer bancar urgent',
    'ați câștigat',
    'revendicați premiul',
  ],
  fr: [
    'vérifiez votre compte',
    'confirmez votre mot de passe',
    'votre compte sera suspendu',
    'virement urgent',
    'vous avez gagné',
    'gagné',
    'réclamez votre prix',
  ],
};

import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.js';

type Params = Record<string, string | number>;

const numberIn = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const textIn = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The more precise sentence an error's details allow (errorHelpWith.<key>), or null. The details are
 * the ones core puts on its DomainErrors: minLength (password-policy), retryAfterSeconds (sign-in),
 * used/cap/windowDays (restriction-service), user (resolve-user), field/min/max (policy-admin and
 * request validation).
 */
function precise(error: ApiError): { key: string; params: Params } | null {
  const d = error.details;
  switch (error.code) {
    case 'WEAK_PASSWORD': {
      const minLength = numberIn(d['minLength']);
      return minLength === undefined ? null : { key: 'WEAK_PASSWORD_minLength', params: { minLength } };
    }
    case 'ACCOUNT_LOCKED': {
      const seconds = numberIn(d['retryAfterSeconds']);
      // Lockouts last minutes; "Try again in 900 seconds" reads badly, so round up to whole minutes.
      return seconds === undefined
        ? null
        : { key: 'ACCOUNT_LOCKED_retry', params: { retryAfterMinutes: Math.max(1, Math.ceil(seconds / 60)) } };
    }
    case 'UNBLOCK_LIMIT_REACHED': {
      const [used, cap, windowDays] = [numberIn(d['used']), numberIn(d['cap']), numberIn(d['windowDays'])];
      return used === undefined || cap === undefined || windowDays === undefined
        ? null
        : { key: 'UNBLOCK_LIMIT_REACHED_cap', params: { used, cap, windowDays } };
    }
    case 'USER_NOT_FOUND': {
      const user = textIn(d['user']);
      return user === undefined ? null : { key: 'USER_NOT_FOUND_user', params: { user } };
    }
    case 'INVALID_INPUT': {
      const field = error.field;
      if (field === undefined) return null;
      const [min, max] = [numberIn(d['min']), numberIn(d['max'])];
      return min === undefined || max === undefined
        ? { key: 'INVALID_INPUT_field', params: { field } }
        : { key: 'INVALID_INPUT_range', params: { field, min, max } };
    }
    default:
      return null;
  }
}

/**
 * The sentence under an error's title. English keeps the server's own message (it names the user
 * and the exact cause); every other language gets a translated sentence per error code, filled
 * from the error's details, so no English sentence appears in a Dutch or French page.
 */
export function useErrorText(): (error: ApiError) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    if (error.code === 'NETWORK') return ''; // its title is already the whole sentence
    if (i18n.language === 'en' && error.message !== '') return error.message;
    const better = precise(error);
    if (better !== null) return t(`errorHelpWith.${better.key}`, better.params);
    const key = `errorHelp.${error.code}`;
    return i18n.exists(key) ? t(key) : '';
  };
}

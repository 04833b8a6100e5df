import { useTranslation } from 'react-i18next';
import type { RestrictedUserDto } from '../../../shared/api-schemas.js';

type Evidence = Pick<RestrictedUserDto, 'rule' | 'reason' | 'count' | 'limit' | 'windowMinutes'>;

/**
 * Why a user is restricted, worded in the active language from the numbers the API sends
 * ("612 externe geadresseerden in het afgelopen uur; limiet 500"). The server's English sentence is
 * shown only when the numbers are missing (a manual restriction, or a rule this portal does not know).
 */
export function useEvidenceSentence(): (evidence: Evidence) => string {
  const { t, i18n } = useTranslation();
  return (e) => {
    const key = `evidence.${e.rule}`;
    if (e.count === null || e.limit === null || e.windowMinutes === null || !i18n.exists(key)) return e.reason;
    return t(key, { count: e.count, limit: e.limit, windowMinutes: e.windowMinutes });
  };
}

import { useTranslation } from 'react-i18next';

/** A restriction rule or counter window ("external-per-hour") in words; unknown names are shown as they are. */
export function useRuleLabel(): (rule: string) => string {
  const { t, i18n } = useTranslation();
  return (rule) => (i18n.exists(`rules.${rule}`) ? t(`rules.${rule}`) : rule);
}

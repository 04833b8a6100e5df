import { useTranslation } from 'react-i18next';

/** Dates and numbers in the active language (user data itself is never translated). */
export function useFormat() {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  const dateTime = new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' });
  const time = new Intl.DateTimeFormat(lng, { hour: '2-digit', minute: '2-digit' });
  const number = new Intl.NumberFormat(lng);
  return {
    dateTime: (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : ''),
    hour: (iso: string): string => time.format(new Date(iso)),
    number: (n: number): string => number.format(n),
  };
}

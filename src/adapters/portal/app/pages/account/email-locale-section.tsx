import { useState } from 'react';
import { Body1, Button, Field, Input, Select, Subtitle1, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api, type ApiError } from '../../api.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useSession } from '../../components/session.js';
import { toApiError } from '../../components/use-api-load.js';
import { LANGUAGES, LANGUAGE_NAMES } from '../../i18n/i18n.js';
import { useAccountStyles } from './account-styles.js';

/** My account: the language and time zone of the email Sendwarden sends you (PATCH /api/v1/me). */
export function EmailLocaleSection() {
  const { t } = useTranslation();
  const { me, setMe } = useSession();
  const styles = useAccountStyles();
  const [language, setLanguage] = useState(me?.user.language ?? '');
  const [timeZone, setTimeZone] = useState(me?.user.timeZone ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const save = () => {
    setError(null);
    setSaved(false);
    api
      .updateMe({ language: language === '' ? null : language, timeZone: timeZone.trim() === '' ? null : timeZone })
      .then(
        (next) => {
          setMe(next);
          setSaved(true);
        },
        (err: unknown) => setError(toApiError(err)),
      );
  };
  return (
    <section className={styles.section} aria-labelledby="account-email-heading">
      <Subtitle1 as="h2" id="account-email-heading">
        {t('account.email.heading')}
      </Subtitle1>
      <Body1>{t('account.email.text')}</Body1>
      {error !== null ? <ApiErrorBar error={error} /> : null}
      <Field label={t('account.email.language')}>
        <Select value={language} onChange={(_e, d) => setLanguage(d.value)} data-testid="account-email-language">
          <option value="">{t('account.email.default')}</option>
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t('account.email.timeZone')} hint={t('account.email.timeZoneHint')}>
        <Input value={timeZone} onChange={(_e, d) => setTimeZone(d.value)} data-testid="account-email-time-zone" />
      </Field>
      <div>
        <Button appearance="primary" onClick={save} data-testid="account-email-save">
          {t('account.email.save')}
        </Button>{' '}
        {saved ? <Text role="status">{t('account.email.saved')}</Text> : null}
      </div>
    </section>
  );
}

import { useState } from 'react';
import type { FormEvent } from 'react';
import { Body1, Button, Field, Input, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { MeDto } from '../../../../shared/api-schemas-session.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  qr: { width: '200px', height: '200px', alignSelf: 'center', background: '#fff' },
  secret: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all', fontSize: tokens.fontSizeBase400 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** TOTP enrolment: the QR code and the same secret as text, then the first code; "postpone" until the deadline. */
export function TotpEnrolment(props: { me: MeDto; onEnrolled: () => void; onPostponed: () => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const enrolment = useApiLoad(() => api.totpEnrolment(), 'enrolment');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const deadline = props.me.totpDeadline;
  const canPostpone = deadline !== null && new Date(deadline).getTime() > Date.now() && props.me.mfa === 'enrol';

  const run = (work: () => Promise<unknown>, done: () => void) => {
    setBusy(true);
    setError(null);
    work().then(
      () => {
        setBusy(false);
        done();
      },
      (err: unknown) => {
        setBusy(false);
        setError(toApiError(err));
      },
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    run(() => api.enrolTotp(code.trim()), props.onEnrolled);
  };

  return (
    <LoadGate state={enrolment}>
      {(data) => (
        <form className={styles.form} onSubmit={submit} data-testid="totp-enrol-form">
          <Body1>{t('enrol.intro')}</Body1>
          <img
            className={styles.qr}
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.qrSvg)}`}
            alt={t('enrol.qrAlt')}
          />
          <Body1>{t('enrol.secretHelp')}</Body1>
          <Text className={styles.secret} data-testid="totp-secret">
            {data.secret}
          </Text>
          {error !== null ? <ApiErrorBar error={error} /> : null}
          <Field label={t('signIn.totpCode')} required>
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(_e, d) => setCode(d.value)}
            />
          </Field>
          <div className={styles.actions}>
            <Button
              appearance="primary"
              type="submit"
              disabled={busy}
              icon={busy ? <Spinner size="tiny" /> : undefined}
            >
              {t('enrol.submit')}
            </Button>
            {canPostpone ? (
              <Button type="button" disabled={busy} onClick={() => run(() => api.postponeTotp(), props.onPostponed)}>
                {t('enrol.postpone')}
              </Button>
            ) : null}
          </div>
          {canPostpone ? <Body1>{t('enrol.postponeUntil', { deadline: fmt.dateTime(deadline) })}</Body1> : null}
        </form>
      )}
    </LoadGate>
  );
}

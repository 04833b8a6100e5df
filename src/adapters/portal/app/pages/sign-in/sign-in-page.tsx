import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Body1, Button, Field, Input, Spinner, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { MeDto } from '../../../../shared/api-schemas-session.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { AppLink } from '../../components/app-link.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { useSession } from '../../components/session.js';
import { toApiError } from '../../components/use-api-load.js';
import { isSafeNext, links } from '../../routes.js';
import { TotpEnrolment } from './totp-enrolment.js';

export const useFormStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
});

type Step = 'password' | 'totp' | 'enrol';

function stepFor(me: MeDto | null, wantsEnrol: boolean): Step {
  if (me === null) return 'password';
  if (me.mfa === 'required') return 'totp';
  if (me.mfa === 'enrol' || (wantsEnrol && !me.user.totpEnrolled)) return 'enrol';
  return 'password';
}

/** Sign-in: password, then the authenticator code or enrolment (with "postpone" while allowed). */
export function SignInPage() {
  const { t } = useTranslation();
  const styles = useFormStyles();
  const { me, setMe, refresh, markPostponed } = useSession();
  const location = useLocation();
  const nextParam = location.search.get('next');
  const next = nextParam !== null && isSafeNext(nextParam) ? nextParam : links.home();
  const wantsEnrol = location.search.get('enrol') === '1';
  const [step, setStep] = useState<Step>(() => stepFor(me, wantsEnrol));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const finish = () => navigate(next, { replace: true });

  // Already fully signed in (e.g. the back button): go on.
  useEffect(() => {
    if (me !== null && me.mfa === 'done' && !(wantsEnrol && !me.user.totpEnrolled)) finish();
  }, []);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const signedIn = await api.signIn(email.trim(), password);
      setPassword('');
      setMe(signedIn);
      const nextStep = stepFor(signedIn, false);
      if (signedIn.mfa === 'done') finish();
      else setStep(nextStep);
    });
  };

  const submitTotp = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.verifyTotp(code.trim());
      await refresh();
      finish();
    });
  };

  const heading = step === 'password' ? t('signIn.title') : step === 'totp' ? t('signIn.totpTitle') : t('enrol.title');

  return (
    <>
      <Title2 as="h1" style={{ display: 'block', marginBottom: 16 }}>
        {heading}
      </Title2>
      {error !== null ? <ApiErrorBar error={error} /> : null}
      {step === 'password' ? (
        <form className={styles.form} onSubmit={submitPassword} data-testid="sign-in-form">
          <Field label={t('signIn.email')} required>
            <Input type="email" autoComplete="username" value={email} onChange={(_e, d) => setEmail(d.value)} />
          </Field>
          <Field label={t('signIn.password')} required>
            <Input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(_e, d) => setPassword(d.value)}
            />
          </Field>
          <div className={styles.actions}>
            <Button
              appearance="primary"
              type="submit"
              disabled={busy}
              icon={busy ? <Spinner size="tiny" /> : undefined}
            >
              {t('signIn.submit')}
            </Button>
            <AppLink href={links.forgotPassword(email.includes('@') ? { email: email.trim() } : {})}>
              {t('signIn.forgot')}
            </AppLink>
          </div>
        </form>
      ) : null}
      {step === 'totp' ? (
        <form className={styles.form} onSubmit={submitTotp} data-testid="totp-form">
          <Body1>{t('signIn.totpHelp')}</Body1>
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
              {t('signIn.verify')}
            </Button>
          </div>
        </form>
      ) : null}
      {step === 'enrol' && me !== null ? (
        <TotpEnrolment
          me={me}
          onEnrolled={() => void refresh().then(finish)}
          onPostponed={() => {
            markPostponed();
            void refresh().then(finish);
          }}
        />
      ) : null}
    </>
  );
}

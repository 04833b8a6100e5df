import { useState } from 'react';
import type { FormEvent } from 'react';
import { Body1, Button, Field, Input, MessageBar, MessageBarBody, Spinner, Title2 } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields } from '../../components/new-password-fields.js';
import { useErrorText } from '../../components/error-text.js';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { AppLink } from '../../components/app-link.js';
import { useLocation } from '../../components/navigation.js';
import { toApiError } from '../../components/use-api-load.js';
import { links } from '../../routes.js';
import { useFormStyles } from '../sign-in/sign-in-page.js';

type Step = 'email' | 'code' | 'done';

/** Self-service password reset: email -> code from the alternate email (and TOTP for admins) -> new password. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const styles = useFormStyles();
  const location = useLocation();
  const [step, setStep] = useState<Step>('email');
  const [email, setEmail] = useState(location.search.get('email') ?? '');
  const [code, setCode] = useState('');
  const [totp, setTotp] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = (work: () => Promise<unknown>, next: Step) => {
    setBusy(true);
    setError(null);
    work().then(
      () => {
        setBusy(false);
        setStep(next);
      },
      (err: unknown) => {
        setBusy(false);
        setError(toApiError(err));
      },
    );
  };

  const start = (e: FormEvent) => {
    e.preventDefault();
    run(() => api.startReset(email.trim()), 'code');
  };

  const complete = (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const totpCode = totp.trim();
    run(
      () =>
        api.completeReset({
          email: email.trim(),
          code: code.trim(),
          newPassword: password,
          ...(totpCode !== '' ? { totp: totpCode } : {}),
        }),
      'done',
    );
  };

  const passwordError = error !== null && error.field === 'password' ? errorText(error) : undefined;

  return (
    <>
      <Title2 as="h1" style={{ display: 'block', marginBottom: 16 }}>
        {t('forgot.title')}
      </Title2>
      {error !== null && passwordError === undefined ? <ApiErrorBar error={error} /> : null}
      {step === 'email' ? (
        <form className={styles.form} onSubmit={start} data-testid="forgot-start">
          <Body1>{t('forgot.intro')}</Body1>
          <Field label={t('signIn.email')} required>
            <Input type="email" autoComplete="username" value={email} onChange={(_e, d) => setEmail(d.value)} />
          </Field>
          <div className={styles.actions}>
            <Button
              appearance="primary"
              type="submit"
              disabled={busy}
              icon={busy ? <Spinner size="tiny" /> : undefined}
            >
              {t('forgot.sendCode')}
            </Button>
            <AppLink href={links.signIn()}>{t('forgot.backToSignIn')}</AppLink>
          </div>
        </form>
      ) : null}
      {step === 'code' ? (
        <form className={styles.form} onSubmit={complete} data-testid="forgot-complete">
          <MessageBar intent="info" layout="multiline">
            <MessageBarBody>{t('forgot.codeSent', { email: email.trim() })}</MessageBarBody>
          </MessageBar>
          <Field label={t('forgot.code')} required>
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={8}
              value={code}
              onChange={(_e, d) => setCode(d.value)}
            />
          </Field>
          <Field label={t('forgot.totp')} hint={t('forgot.totpHint')}>
            <Input inputMode="numeric" maxLength={6} value={totp} onChange={(_e, d) => setTotp(d.value)} />
          </Field>
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            error={passwordError}
            mismatch={mismatch}
          />
          <div className={styles.actions}>
            <Button
              appearance="primary"
              type="submit"
              disabled={busy}
              icon={busy ? <Spinner size="tiny" /> : undefined}
            >
              {t('forgot.setPassword')}
            </Button>
            <Button type="button" onClick={() => setStep('email')}>
              {t('forgot.resend')}
            </Button>
          </div>
        </form>
      ) : null}
      {step === 'done' ? (
        <div className={styles.form} role="status">
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>{t('forgot.done')}</MessageBarBody>
          </MessageBar>
          <AppLink href={links.signIn()}>{t('forgot.backToSignIn')}</AppLink>
        </div>
      ) : null}
    </>
  );
}

import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { NewPasswordFields } from '../../components/new-password-fields.js';
import { useErrorText } from '../../components/error-text.js';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { useSession } from '../../components/session.js';
import { toApiError } from '../../components/use-api-load.js';
import { isSafeNext, links } from '../../routes.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '420px' },
});

/** Change your own password; also the forced change after an admin reset ("must change at next sign-in"). */
export function ChangePasswordPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const styles = useStyles();
  const { me, refresh } = useSession();
  const location = useLocation();
  const nextParam = location.search.get('next');
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const isForced = me?.user.mustChangePassword === true;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(null);
    api
      .changePassword(current, password)
      .then(async () => {
        setCurrent('');
        setPassword('');
        setConfirm('');
        setDone(true);
        const fresh = await refresh();
        if (fresh === null) navigate(links.signIn(), { replace: true });
        else if (isForced)
          navigate(nextParam !== null && isSafeNext(nextParam) ? nextParam : links.home(), { replace: true });
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  const fieldError = (field: string) => (error !== null && error.field === field ? errorText(error) : undefined);
  const newError = fieldError('password') ?? fieldError('newPassword');
  const currentError = error?.code === 'AUTH_FAILED' ? t('errors.AUTH_FAILED') : fieldError('currentPassword');

  return (
    <>
      <PageHeader title={t('changePassword.title')} />
      {isForced ? (
        <MessageBar intent="warning" layout="multiline" style={{ marginBottom: 16 }} data-testid="forced-change">
          <MessageBarBody>{t('changePassword.forced')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {done ? (
        <MessageBar intent="success" role="status" style={{ marginBottom: 16 }}>
          <MessageBarBody>{t('changePassword.done')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error !== null && newError === undefined && currentError === undefined ? <ApiErrorBar error={error} /> : null}
      <form className={styles.form} onSubmit={submit} data-testid="change-password-form">
        <Field
          label={t('password.current')}
          required
          validationMessage={currentError}
          validationState={currentError !== undefined ? 'error' : 'none'}
        >
          <Input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(_e, d) => setCurrent(d.value)}
          />
        </Field>
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          error={newError}
          mismatch={mismatch}
        />
        <div>
          <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
            {t('changePassword.submit')}
          </Button>
        </div>
      </form>
    </>
  );
}

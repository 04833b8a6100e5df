import { useState } from 'react';
import { Button, Checkbox, Field, Input, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useErrorText } from './error-text.js';
import { api } from '../api.js';
import type { ApiError } from '../api.js';
import type { UserDto } from '../../../shared/api-schemas.js';
import { ApiErrorBar } from './api-error-bar.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { OneTimeSecret } from './one-time-secret.js';
import { toApiError } from './use-api-load.js';

const useStyles = makeStyles({ root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

/**
 * Reset password: generate one or type one, require a change at next sign-in, confirm, then show the
 * new password once with a copy button (and the warning never to send it by email).
 */
export function ResetPasswordPanel(props: { user: UserDto; onDone: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const styles = useStyles();
  const [mode, setMode] = useState<'generate' | 'type'>('generate');
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<string | null>(null);

  const reset = () => {
    setBusy(true);
    setError(null);
    api
      .resetPassword(props.user.id, { mustChangePassword: mustChange, ...(mode === 'type' ? { password } : {}) })
      .then((reply) => {
        setResult(reply.temporaryPassword);
        setPassword('');
        setConfirming(false);
        props.onDone();
      })
      .catch((err: unknown) => {
        const apiError = toApiError(err);
        setError(apiError);
        if (apiError.field !== undefined) setConfirming(false);
      })
      .finally(() => setBusy(false));
  };

  if (result !== null)
    return <OneTimeSecret value={result} label={t('resetPassword.newPassword')} testId="temporary-password" />;

  const passwordError = error !== null && error.field === 'password' ? errorText(error) : undefined;
  return (
    <div className={styles.root}>
      <RadioGroup
        value={mode}
        onChange={(_e, d) => setMode(d.value === 'type' ? 'type' : 'generate')}
        aria-label={t('resetPassword.mode')}
      >
        <Radio value="generate" label={t('resetPassword.generate')} />
        <Radio value="type" label={t('resetPassword.type')} />
      </RadioGroup>
      {mode === 'type' ? (
        <Field
          label={t('password.new')}
          required
          hint={t('password.rules')}
          validationMessage={passwordError}
          validationState={passwordError !== undefined ? 'error' : 'none'}
        >
          <Input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(_e, d) => setPassword(d.value)}
          />
        </Field>
      ) : null}
      <Checkbox
        checked={mustChange}
        onChange={(_e, d) => setMustChange(d.checked === true)}
        label={t('resetPassword.mustChange')}
      />
      {error !== null && !confirming && passwordError === undefined ? <ApiErrorBar error={error} /> : null}
      <div>
        <Button
          appearance="primary"
          onClick={() => setConfirming(true)}
          disabled={mode === 'type' && password === ''}
          data-testid="reset-password"
        >
          {t('actions.resetPassword')}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={t('resetPassword.confirmTitle', { name: props.user.displayName })}
        busy={busy}
        error={confirming ? error : null}
        onConfirm={reset}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        {t('resetPassword.confirmBody')}
      </ConfirmDialog>
    </div>
  );
}

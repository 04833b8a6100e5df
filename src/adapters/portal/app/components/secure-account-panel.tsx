import { useState } from 'react';
import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import type { ApiError } from '../api.js';
import type { SecureAccountReply, UserDto } from '../../../shared/api-schemas.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { OneTimeSecret } from './one-time-secret.js';
import { toApiError } from './use-api-load.js';

const useStyles = makeStyles({ root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

/** Secure account: sign out every session and revoke every app password (confirmed first). */
export function SecureAccountPanel(props: { user: UserDto; onDone: (reply: SecureAccountReply) => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<SecureAccountReply | null>(null);

  const secure = () => {
    setBusy(true);
    setError(null);
    api
      .secureAccount(props.user.id, {})
      .then((reply) => {
        setResult(reply);
        setConfirming(false);
        props.onDone(reply);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  return (
    <div className={styles.root}>
      {result !== null ? (
        <>
          <MessageBar intent="success" layout="multiline" role="status">
            <MessageBarBody>
              {t('secureAccount.done', { sessions: result.sessionsRevoked, appPasswords: result.appPasswordsRevoked })}
            </MessageBarBody>
          </MessageBar>
          {result.temporaryPassword !== null ? (
            <OneTimeSecret
              value={result.temporaryPassword}
              label={t('resetPassword.newPassword')}
              testId="temporary-password"
            />
          ) : null}
        </>
      ) : (
        <div>
          <Button onClick={() => setConfirming(true)} data-testid="secure-account">
            {t('actions.secureAccount')}
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('secureAccount.confirmTitle', { name: props.user.displayName })}
        busy={busy}
        error={error}
        onConfirm={secure}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        {t('secureAccount.confirmBody')}
      </ConfirmDialog>
    </div>
  );
}

import { useState } from 'react';
import { Button, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { UserDto } from '../../../../shared/api-schemas.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { toApiError } from '../../components/use-api-load.js';

const useStyles = makeStyles({ root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS } });

/** Edit sign-in status: allow or block sign-in; blocking (which ends every session) is confirmed first. */
export function SignInStatusPanel(props: { user: UserDto; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [blocked, setBlocked] = useState(props.user.signInBlocked);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const save = () => {
    setBusy(true);
    setError(null);
    api
      .setSignInStatus(props.user.id, blocked)
      .then(() => {
        setConfirming(false);
        props.onDone(
          blocked
            ? t('signInStatus.blocked', { name: props.user.displayName })
            : t('signInStatus.allowed', { name: props.user.displayName }),
        );
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  return (
    <div className={styles.root}>
      <RadioGroup
        value={blocked ? 'block' : 'allow'}
        onChange={(_e, d) => setBlocked(d.value === 'block')}
        aria-label={t('actions.editSignInStatus')}
      >
        <Radio value="allow" label={t('signInStatus.allow')} />
        <Radio value="block" label={t('signInStatus.block')} />
      </RadioGroup>
      {error !== null && !confirming ? <ApiErrorBar error={error} /> : null}
      <div>
        <Button
          appearance="primary"
          // Focusable while disabled: after a save the button stays where keyboard focus is.
          disabledFocusable={blocked === props.user.signInBlocked || busy}
          onClick={() => (blocked ? setConfirming(true) : save())}
          data-testid="save-sign-in-status"
        >
          {t('common.save')}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={t('signInStatus.confirmTitle', { name: props.user.displayName })}
        busy={busy}
        error={error}
        onConfirm={save}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        {t('signInStatus.confirmBody')}
      </ConfirmDialog>
    </div>
  );
}

import { Field, Input } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';

/** "New password" with the published rules as hint, and "Confirm" that flags a mismatch: one pair for every form that sets a password. */
export function NewPasswordFields(props: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  /** The API's error for the password field, already translated. */
  error: string | undefined;
  mismatch: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field
        label={t('password.new')}
        required
        hint={t('password.rules')}
        validationMessage={props.error}
        validationState={props.error !== undefined ? 'error' : 'none'}
      >
        <Input
          type="password"
          autoComplete="new-password"
          value={props.password}
          onChange={(_e, d) => props.onPassword(d.value)}
        />
      </Field>
      <Field
        label={t('password.confirm')}
        required
        validationMessage={props.mismatch ? t('password.mismatch') : undefined}
        validationState={props.mismatch ? 'error' : 'none'}
      >
        <Input
          type="password"
          autoComplete="new-password"
          value={props.confirm}
          onChange={(_e, d) => props.onConfirm(d.value)}
        />
      </Field>
    </>
  );
}

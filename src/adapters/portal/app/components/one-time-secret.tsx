import { useState } from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  value: { fontFamily: tokens.fontFamilyMonospace, flexGrow: 1 },
});

/**
 * A secret the server shows once (a temporary password, an app password): read-only, a copy button,
 * and a warning; by default the runbook's: hand it over in person or by phone, never by email.
 */
export function OneTimeSecret(props: {
  value: string;
  label: string;
  testId?: string;
  /** The warning's title and text when the default (an admin handing a password over) does not fit. */
  warningTitle?: string;
  warning?: string;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = () => {
    navigator.clipboard.writeText(props.value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <div className={styles.root}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{props.warningTitle ?? t('secret.shownOnce')}</MessageBarTitle>
          {props.warning ?? t('secret.neverByEmail')}
        </MessageBarBody>
      </MessageBar>
      <div className={styles.row}>
        <Field label={props.label} className={styles.value}>
          <Input
            readOnly
            value={props.value}
            className={styles.value}
            data-testid={props.testId ?? 'one-time-secret'}
          />
        </Field>
        <Button onClick={copy}>{t('secret.copy')}</Button>
      </div>
      <div role="status" aria-live="polite">
        {copied === 'yes' ? t('secret.copied') : copied === 'failed' ? t('secret.copyFailed') : ''}
      </div>
    </div>
  );
}

import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.js';

/** An API error as the user sees it: the translated code as title, the server's sentence as body. */
export function ApiErrorBar(props: { error: ApiError; onRetry?: () => void; testId?: string }) {
  const { t, i18n } = useTranslation();
  const key = `errors.${props.error.code}`;
  const title = i18n.exists(key) ? t(key) : t('errors.UNKNOWN');
  const showMessage = props.error.message !== '' && props.error.code !== 'NETWORK';
  return (
    <MessageBar intent="error" layout="multiline" data-testid={props.testId ?? 'api-error'}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {showMessage ? props.error.message : null}
      </MessageBarBody>
      {props.onRetry !== undefined ? (
        <MessageBarActions>
          <Button onClick={props.onRetry}>{t('common.retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.js';
import { useErrorText } from './error-text.js';

/**
 * An API error as the user sees it: the translated code as title, and as body a sentence in the
 * active language (the server's own sentence only in English; see useErrorText).
 */
export function ApiErrorBar(props: { error: ApiError; onRetry?: () => void; testId?: string }) {
  const { t, i18n } = useTranslation();
  const key = `errors.${props.error.code}`;
  const title = i18n.exists(key) ? t(key) : t('errors.UNKNOWN');
  const text = useErrorText()(props.error);
  return (
    <MessageBar intent="error" layout="multiline" data-testid={props.testId ?? 'api-error'}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {text !== '' ? text : null}
      </MessageBarBody>
      {props.onRetry !== undefined ? (
        <MessageBarActions>
          <Button onClick={props.onRetry}>{t('common.retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

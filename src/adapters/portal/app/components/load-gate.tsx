import type { ReactNode } from 'react';
import { Spinner } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { ApiErrorBar } from './api-error-bar.js';
import type { LoadState } from './use-api-load.js';

/**
 * Never a blank page: a spinner while the first load runs, the error with Retry when it failed,
 * otherwise the content (stale content stays visible while a reload runs).
 */
export function LoadGate<T>(props: { state: LoadState<T> & { reload: () => void }; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  const { state } = props;
  return (
    <>
      {state.status === 'error' ? <ApiErrorBar error={state.error} onRetry={state.reload} /> : null}
      {state.status === 'loading' && state.data === undefined ? (
        <Spinner label={t('common.loading')} labelPosition="below" style={{ padding: 32 }} />
      ) : null}
      {state.data !== undefined ? props.children(state.data) : null}
    </>
  );
}

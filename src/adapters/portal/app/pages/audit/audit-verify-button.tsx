import { useState } from 'react';
import { Button, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api, type ApiError } from '../../api.js';
import type { AuditVerifyDto } from '../../../../shared/api-schemas-admin.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { toApiError } from '../../components/use-api-load.js';

/** "Verify": runs the server's audit verify (itself audited) and shows the verdict sentence. */
export function AuditVerifyButton() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerifyDto | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.verifyAudit());
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => void run()} disabled={busy} data-testid="audit-verify">
        {busy ? t('audit.verifying') : t('audit.verify')}
      </Button>
      {error !== null && <ApiErrorBar error={error} />}
      {result && (
        <MessageBar intent={result.ok ? 'success' : 'error'} data-testid="audit-verify-result">
          <MessageBarBody>
            <MessageBarTitle>{result.ok ? t('audit.verifiedOk') : t('audit.verifiedBroken')}</MessageBarTitle>
            {result.message}
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

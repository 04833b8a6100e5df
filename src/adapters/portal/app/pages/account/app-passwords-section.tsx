import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import {
  Body1,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { AppPasswordCreatedDto, AppPasswordDto } from '../../../../shared/api-schemas-accounts.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { OneTimeSecret } from '../../components/one-time-secret.js';
import { useSession } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { useAccountStyles } from './account-styles.js';

const NAME_MAX = 64;

/**
 * App passwords: mail programs sign in to SMTP with one of these instead of the account password,
 * so a stolen phone costs one revocable password, not the account. The password is shown once.
 */
export function AppPasswordsSection() {
  const { t, i18n } = useTranslation();
  const styles = useAccountStyles();
  const fmt = useFormat();
  const { me } = useSession();
  const list = useApiLoad(() => api.listAppPasswords(), 'app-passwords');
  const nameInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [nameProblem, setNameProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<AppPasswordCreatedDto | null>(null);
  const [revoking, setRevoking] = useState<AppPasswordDto | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Revoked rows leave at once (the reload may take a moment), so focus never returns to a vanishing button.
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());

  const create = (e: FormEvent) => {
    e.preventDefault();
    const label = name.trim();
    const existing = list.data?.items ?? [];
    const problem =
      label === ''
        ? t('account.appPasswords.nameRequired')
        : label.length > NAME_MAX
          ? t('account.appPasswords.nameTooLong', { max: NAME_MAX })
          : existing.some((a) => a.name.toLowerCase() === label.toLowerCase())
            ? t('account.appPasswords.nameTaken')
            : undefined;
    setNameProblem(problem);
    setError(null);
    setNotice(null);
    if (problem !== undefined) {
      nameInput.current?.focus();
      return;
    }
    setBusy(true);
    api
      .createAppPassword(label)
      .then((c) => {
        setCreated(c);
        setName('');
        list.reload();
      })
      .catch((err: unknown) => {
        const apiError = toApiError(err);
        if (apiError.field === 'name') {
          // The server's sentence names the cause (a duplicate, too many); other languages get ours.
          setNameProblem(
            i18n.language === 'en' && apiError.message !== ''
              ? apiError.message
              : t('account.appPasswords.nameRejected'),
          );
          nameInput.current?.focus();
        } else setError(apiError);
      })
      .finally(() => setBusy(false));
  };

  const revoke = () => {
    if (revoking === null) return;
    const target = revoking;
    setRevokeBusy(true);
    setRevokeError(null);
    api
      .revokeAppPassword(target.id)
      .then(() => {
        setRemoved((prev) => new Set(prev).add(target.id));
        setRevoking(null);
        if (created?.id === target.id) setCreated(null);
        setNotice(t('account.appPasswords.revoked', { name: target.name }));
        list.reload();
      })
      .catch((err: unknown) => setRevokeError(toApiError(err)))
      .finally(() => setRevokeBusy(false));
  };

  return (
    <section className={styles.section} aria-labelledby="app-passwords-heading" data-testid="app-passwords">
      <Subtitle1 as="h2" id="app-passwords-heading">
        {t('account.appPasswords.heading')}
      </Subtitle1>
      <Body1 className={styles.intro}>{t('account.appPasswords.intro')}</Body1>
      {notice !== null ? (
        <MessageBar intent="success" role="status" data-testid="app-password-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {created !== null ? (
        <div className={styles.created} data-testid="app-password-created">
          <Subtitle2 as="h3">{t('account.appPasswords.createdTitle', { name: created.name })}</Subtitle2>
          <Body1>{t('account.appPasswords.howToUse', { email: me?.user.email ?? '' })}</Body1>
          <OneTimeSecret
            value={created.password}
            label={t('account.appPasswords.password')}
            testId="app-password-value"
            warningTitle={t('account.appPasswords.shownOnceTitle')}
            warning={t('account.appPasswords.shownOnce')}
          />
          <div>
            <Button
              onClick={() => {
                setCreated(null);
                nameInput.current?.focus();
              }}
            >
              {t('account.appPasswords.done')}
            </Button>
          </div>
        </div>
      ) : null}
      <form className={styles.form} onSubmit={create} noValidate data-testid="app-password-form">
        <Field
          className={styles.nameField}
          label={t('account.appPasswords.name')}
          hint={t('account.appPasswords.nameHint')}
          validationMessage={nameProblem}
          validationState={nameProblem !== undefined ? 'error' : 'none'}
        >
          <Input ref={nameInput} value={name} maxLength={NAME_MAX + 1} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Button
          className={styles.submit}
          appearance="primary"
          type="submit"
          disabled={busy}
          icon={busy ? <Spinner size="tiny" /> : undefined}
        >
          {t('account.appPasswords.create')}
        </Button>
      </form>
      {error !== null ? <ApiErrorBar error={error} /> : null}
      <LoadGate state={list}>
        {(data) => {
          const items = data.items.filter((a) => !removed.has(a.id));
          return items.length === 0 ? (
            <Text className={styles.muted}>{t('account.appPasswords.none')}</Text>
          ) : (
            <Table aria-labelledby="app-passwords-heading" data-testid="app-passwords-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('account.appPasswords.name')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.appPasswords.createdAt')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.appPasswords.lastUsed')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.actions')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((a) => (
                  <TableRow key={a.id} data-testid={`app-password-row-${a.name}`}>
                    <TableCell>{a.name}</TableCell>
                    <TableCell>{fmt.dateTime(a.createdAt)}</TableCell>
                    <TableCell>
                      {a.lastUsedAt !== null ? (
                        fmt.dateTime(a.lastUsedAt)
                      ) : (
                        <span className={styles.muted}>{t('account.appPasswords.neverUsed')}</span>
                      )}
                    </TableCell>
                    <TableCell>
                      <Button
                        size="small"
                        onClick={() => {
                          setRevokeError(null);
                          setRevoking(a);
                        }}
                        aria-label={t('account.appPasswords.revokeLabel', { name: a.name })}
                      >
                        {t('account.appPasswords.revoke')}
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          );
        }}
      </LoadGate>
      <ConfirmDialog
        open={revoking !== null}
        title={t('account.appPasswords.confirmTitle', { name: revoking?.name ?? '' })}
        confirmLabel={t('account.appPasswords.revoke')}
        busy={revokeBusy}
        error={revokeError}
        onConfirm={revoke}
        onCancel={() => setRevoking(null)}
      >
        {t('account.appPasswords.confirmBody')}
      </ConfirmDialog>
    </section>
  );
}

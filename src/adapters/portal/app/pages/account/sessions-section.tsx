import { useState } from 'react';
import {
  Badge,
  Body1,
  Button,
  MessageBar,
  MessageBarBody,
  Subtitle1,
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
import type { SessionDto } from '../../../../shared/api-schemas-session.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { useAccountStyles } from './account-styles.js';
import { describeUserAgent } from './user-agent.js';

/** The user's own portal sessions: where, which browser, last seen; sign out any but this one. */
export function SessionsSection() {
  const { t } = useTranslation();
  const styles = useAccountStyles();
  const fmt = useFormat();
  const sessions = useApiLoad(() => api.listSessions(), 'sessions');
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());

  const device = (s: SessionDto): string => {
    const known = describeUserAgent(s.userAgent);
    if (known !== null) return t('account.sessions.deviceName', known);
    return s.userAgent ?? t('account.sessions.unknownDevice');
  };

  const signOut = (s: SessionDto) => {
    setBusyId(s.id);
    setError(null);
    setNotice(null);
    api
      .revokeSession(s.id)
      .then(() => {
        setRemoved((prev) => new Set(prev).add(s.id));
        setNotice(t('account.sessions.signedOut', { device: device(s) }));
        sessions.reload();
        // The row and its button are gone: keep keyboard focus in this section, not on <body>.
        document.getElementById('sessions-heading')?.focus();
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusyId(null));
  };

  return (
    <section className={styles.section} aria-labelledby="sessions-heading" data-testid="sessions">
      <Subtitle1 as="h2" id="sessions-heading" tabIndex={-1}>
        {t('account.sessions.heading')}
      </Subtitle1>
      <Body1 className={styles.intro}>{t('account.sessions.intro')}</Body1>
      {notice !== null ? (
        <MessageBar intent="success" role="status" data-testid="session-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error !== null ? <ApiErrorBar error={error} /> : null}
      <LoadGate state={sessions}>
        {(data) => {
          const items = data.items.filter((s) => !removed.has(s.id));
          return items.length === 0 ? (
            <Text className={styles.muted}>{t('account.sessions.none')}</Text>
          ) : (
            <Table aria-labelledby="sessions-heading" data-testid="sessions-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('account.sessions.deviceColumn')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.sessions.address')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.sessions.signedIn')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.sessions.lastSeen')}</TableHeaderCell>
                  <TableHeaderCell>{t('account.actions')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((s) => (
                  <TableRow key={s.id} data-testid={s.isCurrent ? 'session-current' : 'session-row'}>
                    <TableCell>
                      <span className={styles.agent} title={s.userAgent ?? undefined}>
                        {device(s)}
                      </span>
                    </TableCell>
                    <TableCell>
                      {s.address ?? <span className={styles.muted}>{t('account.sessions.unknown')}</span>}
                    </TableCell>
                    <TableCell>{fmt.dateTime(s.createdAt)}</TableCell>
                    <TableCell>{fmt.dateTime(s.lastSeenAt)}</TableCell>
                    <TableCell>
                      {s.isCurrent ? (
                        <Badge appearance="tint" color="brand">
                          {t('account.sessions.current')}
                        </Badge>
                      ) : (
                        <Button
                          size="small"
                          disabled={busyId === s.id}
                          onClick={() => signOut(s)}
                          aria-label={t('account.sessions.signOutLabel', {
                            device: device(s),
                            at: fmt.dateTime(s.lastSeenAt),
                          })}
                        >
                          {t('account.sessions.signOut')}
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          );
        }}
      </LoadGate>
    </section>
  );
}

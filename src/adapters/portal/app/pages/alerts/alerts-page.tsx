import { useState } from 'react';
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  Tab,
  TabList,
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
import type { AlertDto } from '../../../../shared/api-schemas-admin.js';
import { alertSummaryMessage } from '../../../../shared/alert-summary.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { Pager } from '../../components/pager.js';
import { useCan } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { links } from '../../routes.js';

type Status = 'open' | 'resolved' | 'all';
const PAGE_SIZE = 25;
const SEVERITY_COLOR = { high: 'danger', medium: 'warning', low: 'informative', informational: 'subtle' } as const;

/** Alerts: open by default; resolve one with a click (recorded in the audit log). */
export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const can = useCan();
  const location = useLocation();
  const statusParam = location.search.get('status');
  const status: Status = statusParam === 'resolved' || statusParam === 'all' ? statusParam : 'open';
  const [page, setPage] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [resolved, setResolved] = useState<string | null>(null);
  const alerts = useApiLoad(
    () =>
      api.listAlerts({
        open: status === 'all' ? undefined : status === 'open',
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    `${status}|${page}`,
  );

  const resolve = (a: AlertDto) => {
    setError(null);
    api.resolveAlert(a.id).then(
      () => {
        setResolved(a.id);
        alerts.reload();
      },
      (err: unknown) => setError(toApiError(err)),
    );
  };

  const title = (a: AlertDto) => (i18n.exists(`alerts.types.${a.type}`) ? t(`alerts.types.${a.type}`) : a.title);
  // Every language (English too) words the summary from the alert's details, with its figures and
  // times formatted here (never core's English sentence with an ISO time); the email uses the same.
  const summary = (a: AlertDto): string => {
    const m = alertSummaryMessage(a);
    const dates = Object.fromEntries(Object.entries(m.dates).map(([k, d]) => [k, fmt.dateTime(d.toISOString())]));
    return i18n.exists(m.key) ? t(m.key, { ...m.values, ...dates }) : a.summary;
  };

  return (
    <>
      <PageHeader title={t('nav.alerts')} description={t('alerts.description')} />
      <TabList
        selectedValue={status}
        onTabSelect={(_e, d) => {
          setPage(0);
          navigate(links.alerts({ status: d.value as Status }), { replace: true });
        }}
        aria-label={t('alerts.filter')}
        style={{ marginBottom: 12 }}
      >
        <Tab value="open">{t('alerts.open')}</Tab>
        <Tab value="resolved">{t('alerts.resolved')}</Tab>
        <Tab value="all">{t('alerts.all')}</Tab>
      </TabList>
      {resolved !== null ? (
        <MessageBar intent="success" role="status" style={{ marginBottom: 12 }}>
          <MessageBarBody>{t('alerts.resolvedNotice')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error !== null ? <ApiErrorBar error={error} /> : null}
      <LoadGate state={alerts}>
        {(data) =>
          data.items.length === 0 ? (
            <Text role="status">{t('alerts.none')}</Text>
          ) : (
            <>
              <Table aria-label={t('nav.alerts')} data-testid="alerts-table">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('alerts.severity')}</TableHeaderCell>
                    <TableHeaderCell>{t('alerts.alert')}</TableHeaderCell>
                    <TableHeaderCell>{t('alerts.user')}</TableHeaderCell>
                    <TableHeaderCell>{t('alerts.created')}</TableHeaderCell>
                    <TableHeaderCell>{t('alerts.delivery')}</TableHeaderCell>
                    <TableHeaderCell>{t('alerts.status')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((a) => (
                    <TableRow key={a.id}>
                      <TableCell>
                        <Badge color={SEVERITY_COLOR[a.severity]}>{t(`alerts.severities.${a.severity}`)}</Badge>
                      </TableCell>
                      <TableCell>
                        <div>{title(a)}</div>
                        <Text size={200} data-testid="alert-summary">
                          {summary(a)}
                        </Text>
                      </TableCell>
                      <TableCell>{a.userEmail ?? ''}</TableCell>
                      <TableCell>{fmt.dateTime(a.createdAt)}</TableCell>
                      <TableCell data-testid="alert-delivery">
                        {(a.deliveries ?? []).map((d) => (
                          <div key={d.channel}>
                            <Badge
                              appearance="tint"
                              color={d.status === 'sent' ? 'success' : d.status === 'failed' ? 'danger' : 'informative'}
                            >
                              {t(`alerts.channels.${d.channel}`)}: {t(`alerts.deliveryStatus.${d.status}`)}
                            </Badge>{' '}
                            {d.status !== 'sent' && d.attempts > 0 && (
                              <Text size={200}>{t('alerts.attempts', { count: d.attempts })}</Text>
                            )}
                            {d.status === 'failed' && d.lastError !== null && (
                              <Text size={200} block>
                                {t('alerts.deliveryFailed', { reason: d.lastError })}
                              </Text>
                            )}
                          </div>
                        ))}
                      </TableCell>
                      <TableCell>
                        {a.resolvedAt !== null ? (
                          t('alerts.resolvedAt', { at: fmt.dateTime(a.resolvedAt) })
                        ) : can('alerts.resolve') ? (
                          <Button
                            size="small"
                            onClick={() => resolve(a)}
                            aria-label={t('alerts.resolveLabel', { title: title(a) })}
                          >
                            {t('alerts.resolve')}
                          </Button>
                        ) : (
                          t('alerts.open')
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={setPage} />
            </>
          )
        }
      </LoadGate>
    </>
  );
}

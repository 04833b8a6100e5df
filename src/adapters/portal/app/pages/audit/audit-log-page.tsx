import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Button,
  Field,
  Input,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { AuditEntryDto } from '../../../../shared/api-schemas-admin.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { Pager } from '../../components/pager.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { apiLinks, links } from '../../routes.js';
import type { AuditRange } from '../../routes.js';

const PAGE_SIZE = 50;

const useStyles = makeStyles({
  filters: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    flexWrap: 'wrap',
    marginBottom: tokens.spacingVerticalM,
  },
  change: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-word' },
});

/** A date field (yyyy-mm-dd) as the start or end of that day in local time, in ISO for the API. */
function dayToIso(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function isoToDay(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function describeChange(entry: AuditEntryDto): string {
  const keys = new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})]);
  return [...keys]
    .map((k) => `${k}: ${JSON.stringify(entry.before?.[k] ?? null)} → ${JSON.stringify(entry.after?.[k] ?? null)}`)
    .join('; ');
}

/** Audit log: filter by action, actor and dates; export the same selection as CSV. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const location = useLocation();
  const applied: AuditRange = {
    action: location.search.get('action') ?? undefined,
    actor: location.search.get('actor') ?? undefined,
    from: location.search.get('from') ?? undefined,
    to: location.search.get('to') ?? undefined,
  };
  const [action, setAction] = useState(applied.action ?? '');
  const [actor, setActor] = useState(applied.actor ?? '');
  const [from, setFrom] = useState(isoToDay(applied.from ?? null));
  const [to, setTo] = useState(isoToDay(applied.to ?? null));
  const [page, setPage] = useState(0);
  const key = JSON.stringify(applied);
  const entries = useApiLoad(
    () => api.listAudit({ ...applied, offset: page * PAGE_SIZE, limit: PAGE_SIZE }),
    `${key}|${page}`,
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPage(0);
    navigate(
      links.audit({
        action: action.trim() || undefined,
        actor: actor.trim() || undefined,
        from: dayToIso(from, false),
        to: dayToIso(to, true),
      }),
      { replace: true },
    );
  };

  return (
    <>
      <PageHeader title={t('nav.auditLog')} description={t('audit.description')} />
      <form className={styles.filters} onSubmit={apply} role="search" aria-label={t('audit.filters')}>
        <Field label={t('audit.action')}>
          <Input value={action} onChange={(_e, d) => setAction(d.value)} placeholder={t('audit.actionPlaceholder')} />
        </Field>
        <Field label={t('audit.actor')}>
          <Input value={actor} onChange={(_e, d) => setActor(d.value)} />
        </Field>
        <Field label={t('audit.from')}>
          <Input type="date" value={from} onChange={(_e, d) => setFrom(d.value)} />
        </Field>
        <Field label={t('audit.to')}>
          <Input type="date" value={to} onChange={(_e, d) => setTo(d.value)} />
        </Field>
        <Button type="submit" appearance="primary">
          {t('audit.apply')}
        </Button>
        <Link href={apiLinks.auditCsv(applied)} download data-testid="audit-export">
          {t('audit.export')}
        </Link>
      </form>
      <LoadGate state={entries}>
        {(data) =>
          data.items.length === 0 ? (
            <Text role="status">{t('audit.none')}</Text>
          ) : (
            <>
              <Table aria-label={t('nav.auditLog')} size="small" data-testid="audit-table">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell style={{ width: 64 }}>{t('audit.seq')}</TableHeaderCell>
                    <TableHeaderCell>{t('audit.at')}</TableHeaderCell>
                    <TableHeaderCell>{t('audit.actor')}</TableHeaderCell>
                    <TableHeaderCell>{t('audit.action')}</TableHeaderCell>
                    <TableHeaderCell>{t('audit.target')}</TableHeaderCell>
                    <TableHeaderCell>{t('audit.changes')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((e) => (
                    <TableRow key={e.seq}>
                      <TableCell>{e.seq}</TableCell>
                      <TableCell>{fmt.dateTime(e.at)}</TableCell>
                      <TableCell>{e.actor.label}</TableCell>
                      <TableCell>{e.action}</TableCell>
                      <TableCell>{e.target}</TableCell>
                      <TableCell className={styles.change}>{describeChange(e)}</TableCell>
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

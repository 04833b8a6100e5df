import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Button,
  Field,
  Input,
  Link,
  Select,
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
import { AUDIT_ACTIONS } from '../../../../../core/audit/audit-actions.js';
import { api } from '../../api.js';
import { DayInput } from '../../components/day-input.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { Pager } from '../../components/pager.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { apiLinks, links } from '../../routes.js';
import type { AuditRange } from '../../routes.js';
import { ActorCell, ChangesCell, TargetCell, useActionName } from './audit-entry-cells.js';
import { AuditVerifyButton } from './audit-verify-button.js';

const PAGE_SIZE = 50;

const useStyles = makeStyles({
  // Addresses and targets ("organisation:contoso.com") have no spaces: break them inside the cell.
  breakable: { overflowWrap: 'anywhere' },
  // Fields line up by their tops, so a date's error message under its box moves nothing else.
  filters: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'start',
    flexWrap: 'wrap',
    marginBottom: tokens.spacingVerticalM,
  },
  // Level with the boxes: below a label (a Field's label is its line plus 2px padding above and below and a 2px margin).
  apply: { marginTop: `calc(${tokens.lineHeightBase300} + 3 * ${tokens.spacingVerticalXXS})` },
  actions: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'center',
    alignSelf: 'end',
    flexWrap: 'wrap',
  },
  verify: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalS,
    marginBottom: tokens.spacingVerticalM,
  },
});

/**
 * The From and To filters: one day field each, told apart only by their query parameter (also the
 * field's test id, audit-from / audit-to), their label, and which end of the chosen day they mean.
 */
const DAY_FILTERS = [
  { bound: 'from', label: 'audit.from', isEndOfDay: false },
  { bound: 'to', label: 'audit.to', isEndOfDay: true },
] as const;

type DayBound = (typeof DAY_FILTERS)[number]['bound'];

/** A day (yyyy-mm-dd) as the start or end of that day in local time, in ISO for the API. */
function dayToIso(day: string, isEndOfDay: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T${isEndOfDay ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function isoToDay(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The applied range's days (yyyy-mm-dd, '' for none), as the fields show them. */
function rangeToDays(range: AuditRange): Record<DayBound, string> {
  return { from: isoToDay(range.from), to: isoToDay(range.to) };
}

/** The fields' valid days as the API's instants (a day the field does not hold is left out). */
function daysToRange(days: Record<DayBound, string>): Pick<AuditRange, DayBound> {
  const range: Pick<AuditRange, DayBound> = {};
  for (const f of DAY_FILTERS) range[f.bound] = dayToIso(days[f.bound], f.isEndOfDay);
  return range;
}

/** Audit log: who did what to whom, in words; filter by user, action and dates; verify; export. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const actionName = useActionName();
  const location = useLocation();
  const applied: AuditRange = {
    action: location.search.get('action') ?? undefined,
    actor: location.search.get('actor') ?? undefined,
    user: location.search.get('user') ?? undefined,
    from: location.search.get('from') ?? undefined,
    to: location.search.get('to') ?? undefined,
  };
  const [action, setAction] = useState(applied.action ?? '');
  const [user, setUser] = useState(applied.user ?? '');
  const appliedDays = rangeToDays(applied);
  // yyyy-mm-dd, '' for none, null while the field holds text that is not a date.
  const [days, setDays] = useState<Record<DayBound, string | null>>(() => appliedDays);
  const [isSubmitted, setIsSubmitted] = useState(false);
  const [page, setPage] = useState(0);
  const key = JSON.stringify(applied);
  const entries = useApiLoad(
    () => api.listAudit({ ...applied, offset: page * PAGE_SIZE, limit: PAGE_SIZE }),
    `${key}|${page}`,
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const { from, to } = days;
    // A date that is not one is named under its field; the list keeps its filters meanwhile.
    setIsSubmitted(from === null || to === null);
    if (from === null || to === null) return;
    setPage(0);
    navigate(
      links.audit({
        action: action || undefined,
        actor: applied.actor,
        user: user.trim() || undefined,
        ...daysToRange({ from, to }),
      }),
      { replace: true },
    );
  };

  return (
    <>
      <PageHeader title={t('nav.auditLog')} description={t('audit.description')} />
      <form className={styles.filters} onSubmit={apply} role="search" aria-label={t('audit.filters')}>
        <Field label={t('audit.user')}>
          <Input value={user} onChange={(_e, d) => setUser(d.value)} placeholder={t('audit.userPlaceholder')} />
        </Field>
        <Field label={t('audit.action')}>
          <Select value={action} onChange={(_e, d) => setAction(d.value)} data-testid="audit-action-filter">
            <option value="">{t('audit.allActions')}</option>
            {/* Every action the server records (core's list), each under its name in auditAction.*. */}
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionName(a)}
              </option>
            ))}
          </Select>
        </Field>
        {DAY_FILTERS.map((f) => (
          <DayInput
            key={f.bound}
            label={t(f.label)}
            initialDay={appliedDays[f.bound]}
            onDay={(day) => setDays((prev) => ({ ...prev, [f.bound]: day }))}
            isSubmitted={isSubmitted}
            testId={`audit-${f.bound}`}
          />
        ))}
        <Button type="submit" appearance="primary" className={styles.apply}>
          {t('audit.apply')}
        </Button>
        <div className={styles.actions}>
          <Link href={apiLinks.auditCsv(applied)} download data-testid="audit-export">
            {t('audit.export')}
          </Link>
          <Link href={apiLinks.auditExport()} download data-testid="audit-export-jsonl">
            {t('audit.exportJsonl')}
          </Link>
        </div>
      </form>
      <div className={styles.verify}>
        <AuditVerifyButton />
      </div>
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
                    <TableHeaderCell style={{ width: 170 }}>{t('audit.at')}</TableHeaderCell>
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
                      <TableCell className={styles.breakable}>
                        <ActorCell entry={e} />
                      </TableCell>
                      <TableCell data-testid="audit-action">{actionName(e.action)}</TableCell>
                      <TableCell className={styles.breakable}>
                        <TargetCell entry={e} />
                      </TableCell>
                      <TableCell>
                        <ChangesCell entry={e} />
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

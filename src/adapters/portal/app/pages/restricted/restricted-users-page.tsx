import { useEffect, useState } from 'react';
import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  Radio,
  SearchBox,
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
import type { LearnOutcomeDto, RestrictedUserDto } from '../../../../shared/api-schemas.js';
import { useFormat } from '../../components/format.js';
import { useEvidenceSentence } from '../../components/evidence-sentence.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { useCan } from '../../components/session.js';
import { useRuleLabel } from '../../components/rule-label.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { links } from '../../routes.js';
import { useListStyles } from '../users/active-users-page.js';
import { UnblockDrawer } from './unblock-drawer.js';

/** Review > Restricted users: search, select a user, Unblock (flyout with the recommended steps, then Yes). */
export function RestrictedUsersPage() {
  const { t } = useTranslation();
  const styles = useListStyles();
  const fmt = useFormat();
  const can = useCan();
  const canUnblock = can('restricted.unblock');
  const ruleLabel = useRuleLabel();
  const evidence = useEvidenceSentence();
  const location = useLocation();
  const search = location.search.get('search') ?? '';
  const selected = location.search.get('user');
  const [draft, setDraft] = useState(search);
  const [flyoutOpen, setFlyoutOpen] = useState(false);
  // Rows unblocked in this view leave the list at once, before any reload answers.
  const [removed, setRemoved] = useState<readonly string[]>([]);
  const [unblocked, setUnblocked] = useState<string | null>(null);
  const [learning, setLearning] = useState<LearnOutcomeDto | null>(null);
  useEffect(() => setDraft(search), [search]);

  const list = useApiLoad(() => api.listRestricted(search || undefined), search);
  const go = (q: { search?: string; user?: string }) =>
    navigate(links.restricted({ search, user: selected ?? undefined, ...q }), { replace: true });
  const rows = (list.data?.items ?? []).filter((r) => !removed.includes(r.userId));
  const selectedRow = rows.find((r) => r.userId === selected);

  const onUnblocked = (row: RestrictedUserDto, learning: LearnOutcomeDto) => {
    setFlyoutOpen(false);
    setRemoved((ids) => [...ids, row.userId]);
    setUnblocked(row.email);
    setLearning(learning);
    go({ user: undefined });
    list.reload();
  };

  return (
    <>
      <PageHeader title={t('nav.restrictedUsers')} description={t('restricted.description')} />
      {unblocked !== null ? (
        <MessageBar
          intent={learning?.state === 'failed' ? 'warning' : 'success'}
          role="status"
          style={{ marginBottom: 16 }}
          data-testid="unblocked-message"
        >
          <MessageBarBody>
            {t('restricted.unblocked', { email: unblocked })}
            {learning !== null && learning.state !== 'none' ? (
              <span data-testid="learning-outcome">
                {' '}
                {t(`restricted.learning.${learning.state}`, {
                  learned: learning.learned,
                  messages: learning.messages,
                  kind: learning.kind ?? '',
                  detail: learning.detail ?? '',
                })}
              </span>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.toolbar}>
        <div role="search" style={{ display: 'flex', gap: 8, alignItems: 'end' }}>
          <Field label={t('common.search')}>
            <SearchBox
              className={styles.search}
              value={draft}
              placeholder={t('restricted.searchPlaceholder')}
              onChange={(_e, d) => {
                setDraft(d.value);
                if (d.value === '') go({ search: '', user: undefined });
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') go({ search: draft.trim(), user: undefined });
              }}
              data-testid="restricted-search"
            />
          </Field>
          <Button onClick={() => go({ search: draft.trim(), user: undefined })}>{t('common.search')}</Button>
        </div>
        {canUnblock ? (
          <Button
            appearance="primary"
            disabled={selectedRow === undefined}
            onClick={() => setFlyoutOpen(true)}
            data-testid="unblock"
          >
            {t('actions.unblock')}
          </Button>
        ) : null}
      </div>
      <LoadGate state={list}>
        {() =>
          rows.length === 0 ? (
            <Text role="status" data-testid="restricted-empty">
              {search !== '' ? t('restricted.noMatch', { search }) : t('restricted.none')}
            </Text>
          ) : (
            <Table aria-label={t('nav.restrictedUsers')} data-testid="restricted-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={{ width: 48 }}>
                    <span className="sw-visually-hidden">{t('restricted.select')}</span>
                  </TableHeaderCell>
                  <TableHeaderCell>{t('restricted.user')}</TableHeaderCell>
                  <TableHeaderCell>{t('restricted.reason')}</TableHeaderCell>
                  <TableHeaderCell>{t('restricted.restrictedAt')}</TableHeaderCell>
                  <TableHeaderCell>{t('restricted.release')}</TableHeaderCell>
                  {canUnblock ? <TableHeaderCell>{t('account.actions')}</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow
                    key={r.userId}
                    aria-selected={r.userId === selected}
                    onClick={() => go({ user: r.userId })}
                    appearance={r.userId === selected ? 'brand' : 'none'}
                    data-testid={`restricted-row-${r.email}`}
                  >
                    <TableCell>
                      <Radio
                        name="restricted-user"
                        value={r.userId}
                        checked={r.userId === selected}
                        onChange={() => go({ user: r.userId })}
                        aria-label={t('restricted.selectUser', { email: r.email })}
                      />
                    </TableCell>
                    <TableCell>
                      <div>{r.displayName}</div>
                      <Text size={200}>{r.email}</Text>
                    </TableCell>
                    <TableCell>
                      <div>{ruleLabel(r.rule)}</div>
                      <Text size={200} data-testid="restricted-reason">
                        {evidence(r)}
                      </Text>
                    </TableCell>
                    <TableCell>{fmt.dateTime(r.restrictedAt)}</TableCell>
                    <TableCell>
                      {r.releaseAt !== null ? fmt.dateTime(r.releaseAt) : t('restricted.untilUnblocked')}
                    </TableCell>
                    {canUnblock ? (
                      <TableCell>
                        {/* The row's own Unblock: the next Tab stop after the row's radio, so a keyboard
                            user never has to go back up to the toolbar. */}
                        <Button
                          size="small"
                          aria-label={t('unblock.title', { email: r.email })}
                          onClick={(e) => {
                            e.stopPropagation();
                            go({ user: r.userId });
                            setFlyoutOpen(true);
                          }}
                          data-testid="row-unblock"
                        >
                          {t('actions.unblock')}
                        </Button>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )
        }
      </LoadGate>
      <UnblockDrawer
        row={flyoutOpen ? (selectedRow ?? null) : null}
        onClose={() => setFlyoutOpen(false)}
        onUnblocked={onUnblocked}
      />
    </>
  );
}

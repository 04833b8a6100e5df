import { useEffect, useState } from 'react';
import {
  Button,
  Dropdown,
  Field,
  Option,
  SearchBox,
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
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { navigate, useLocation } from '../../components/navigation.js';
import { PageHeader } from '../../components/page-header.js';
import { Pager } from '../../components/pager.js';
import { useApiLoad } from '../../components/use-api-load.js';
import { UserStatusBadges } from '../../components/user-status-badges.js';
import { links } from '../../routes.js';
import type { UserFilter } from '../../routes.js';
import { UserDetailsDrawer } from './user-details-drawer.js';

const PAGE_SIZE = 25;
const FILTERS: readonly UserFilter[] = ['all', 'blocked', 'locked', 'restricted'];

export const useListStyles = makeStyles({
  toolbar: {
    display: 'flex',
    gap: tokens.spacingHorizontalL,
    alignItems: 'end',
    flexWrap: 'wrap',
    marginBottom: tokens.spacingVerticalM,
  },
  search: { minWidth: '280px' },
  nameButton: {
    justifyContent: 'flex-start',
    textAlign: 'start',
    minWidth: 0,
    padding: 0,
    fontWeight: tokens.fontWeightSemibold,
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

function isFilter(value: string | null): value is UserFilter {
  return value !== null && (FILTERS as readonly string[]).includes(value);
}

/** Users > Active users: search, filters, paging; selecting a user opens the details flyout. */
export function ActiveUsersPage() {
  const { t } = useTranslation();
  const styles = useListStyles();
  const fmt = useFormat();
  const location = useLocation();
  const search = location.search.get('search') ?? '';
  const filterParam = location.search.get('filter');
  const filter: UserFilter = isFilter(filterParam) ? filterParam : 'all';
  const page = Math.max(0, Number(location.search.get('page') ?? '0') || 0);
  const selected = location.search.get('user');
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);

  const go = (q: { search?: string; filter?: UserFilter; page?: number; user?: string }, replace = false) =>
    navigate(links.users({ search, filter, page, user: selected ?? undefined, ...q }), { replace });

  const users = useApiLoad(
    () =>
      api.listUsers({
        search: search || undefined,
        signInBlocked: filter === 'blocked' ? true : undefined,
        locked: filter === 'locked' ? true : undefined,
        restricted: filter === 'restricted' ? true : undefined,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    `${search}|${filter}|${page}`,
  );

  return (
    <>
      <PageHeader title={t('nav.activeUsers')} description={t('users.description')} />
      <div className={styles.toolbar} role="search">
        <Field label={t('common.search')}>
          <SearchBox
            className={styles.search}
            value={draft}
            placeholder={t('users.searchPlaceholder')}
            onChange={(_e, d) => {
              setDraft(d.value);
              if (d.value === '') go({ search: '', page: 0, user: undefined }, true);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') go({ search: draft.trim(), page: 0, user: undefined }, true);
            }}
            data-testid="users-search"
          />
        </Field>
        <Button onClick={() => go({ search: draft.trim(), page: 0, user: undefined }, true)}>
          {t('common.search')}
        </Button>
        <Field label={t('users.filter')}>
          <Dropdown
            value={t(`users.filters.${filter}`)}
            selectedOptions={[filter]}
            onOptionSelect={(_e, d) => {
              if (isFilter(d.optionValue ?? null)) go({ filter: d.optionValue as UserFilter, page: 0 }, true);
            }}
            data-testid="users-filter"
          >
            {FILTERS.map((f) => (
              <Option key={f} value={f}>
                {t(`users.filters.${f}`)}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <LoadGate state={users}>
        {(data) =>
          data.items.length === 0 ? (
            <Text role="status">{search !== '' ? t('users.noMatch', { search }) : t('users.none')}</Text>
          ) : (
            <>
              <Table aria-label={t('nav.activeUsers')} data-testid="users-table">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t('users.displayName')}</TableHeaderCell>
                    <TableHeaderCell>{t('users.email')}</TableHeaderCell>
                    <TableHeaderCell>{t('users.status')}</TableHeaderCell>
                    <TableHeaderCell>{t('users.lastSignIn')}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((u) => (
                    <TableRow key={u.id} aria-selected={u.id === selected}>
                      <TableCell>
                        <Button
                          appearance="transparent"
                          className={styles.nameButton}
                          onClick={() => go({ user: u.id })}
                          aria-label={t('users.open', { name: u.displayName })}
                        >
                          {u.displayName}
                        </Button>
                      </TableCell>
                      <TableCell>{u.email}</TableCell>
                      <TableCell>
                        <UserStatusBadges user={u} />
                      </TableCell>
                      <TableCell>
                        {u.lastSignInAt !== null ? (
                          fmt.dateTime(u.lastSignInAt)
                        ) : (
                          <span className={styles.muted}>{t('users.never')}</span>
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              <Pager page={page} pageSize={PAGE_SIZE} total={data.total} onPage={(p) => go({ page: p })} />
            </>
          )
        }
      </LoadGate>
      <UserDetailsDrawer userId={selected} onClose={() => go({ user: undefined })} onChanged={users.reload} />
    </>
  );
}

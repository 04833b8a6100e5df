import { useState } from 'react';
import {
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
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { PolicyDto } from '../../../../shared/api-schemas-admin.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { LoadGate } from '../../components/load-gate.js';
import { useCan } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { CustomPolicyDrawer } from './custom-policy-drawer.js';
import type { DrawerTarget } from './custom-policy-drawer.js';
import { LIMIT_FIELDS, SCOPE_KEYS } from './custom-policy-rules.js';

const useStyles = makeStyles({
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalXXXL,
    '& h2': { marginBlock: 0 },
  },
  // Auto layout: the limits column takes the room it needs instead of a fifth of the width.
  table: { tableLayout: 'auto' },
  intro: { color: tokens.colorNeutralForeground2, maxWidth: '720px' },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS },
  list: { margin: 0, paddingLeft: 0, listStyle: 'none' },
  limits: { margin: 0, paddingLeft: 0, listStyle: 'none', fontSize: tokens.fontSizeBase200, whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  rowActions: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
});

/** The custom policies below the default editor: who each covers, its limits and action; add, edit, delete. */
export function CustomPoliciesSection(props: { defaults: PolicyDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const can = useCan();
  const canWrite = can('policy.write');
  const list = useApiLoad(() => api.listCustomPolicies(), 'custom-policies');
  const [target, setTarget] = useState<DrawerTarget>(null);
  const [deleting, setDeleting] = useState<PolicyDto | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const existing = (list.data?.items ?? []).filter((p) => !removed.has(p.id));

  const remove = () => {
    if (deleting === null) return;
    const policy = deleting;
    setDeleteBusy(true);
    setDeleteError(null);
    api
      .deleteCustomPolicy(policy.id)
      .then(() => {
        setRemoved((prev) => new Set(prev).add(policy.id));
        setDeleting(null);
        setNotice(t('customPolicies.deleted', { name: policy.name }));
        list.reload();
      })
      .catch((err: unknown) => setDeleteError(toApiError(err)))
      .finally(() => setDeleteBusy(false));
  };

  return (
    <section className={styles.section} aria-labelledby="custom-policies-heading" data-testid="custom-policies">
      <Subtitle1 as="h2" id="custom-policies-heading">
        {t('customPolicies.heading')}
      </Subtitle1>
      <Body1 className={styles.intro}>{t('customPolicies.intro')}</Body1>
      {notice !== null ? (
        <MessageBar intent="success" role="status" data-testid="custom-policy-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {canWrite ? (
        <div className={styles.toolbar}>
          <Button
            appearance="primary"
            onClick={() => {
              setNotice(null);
              setTarget({ policy: null });
            }}
            data-testid="custom-policy-add"
          >
            {t('customPolicies.add')}
          </Button>
        </div>
      ) : null}
      <LoadGate state={list}>
        {() =>
          existing.length === 0 ? (
            <Text className={styles.muted}>{t('customPolicies.none')}</Text>
          ) : (
            <Table
              className={styles.table}
              aria-labelledby="custom-policies-heading"
              data-testid="custom-policies-table"
            >
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('customPolicies.priority')}</TableHeaderCell>
                  <TableHeaderCell>{t('customPolicies.name')}</TableHeaderCell>
                  <TableHeaderCell>{t('customPolicies.appliesTo')}</TableHeaderCell>
                  <TableHeaderCell>{t('customPolicies.limits')}</TableHeaderCell>
                  <TableHeaderCell>{t('policies.action')}</TableHeaderCell>
                  {canWrite ? <TableHeaderCell>{t('account.actions')}</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {existing.map((p) => (
                  <TableRow key={p.id} data-testid={`custom-policy-row-${p.name}`}>
                    <TableCell>{p.priority}</TableCell>
                    <TableCell>{p.name}</TableCell>
                    <TableCell>
                      <ul className={styles.list}>
                        {SCOPE_KEYS.filter((k) => p.scope[k].length > 0).map((k) => (
                          <li key={k}>{t(`customPolicies.scopeList.${k}`, { list: p.scope[k].join(', ') })}</li>
                        ))}
                      </ul>
                    </TableCell>
                    <TableCell>
                      <ul className={styles.limits}>
                        {LIMIT_FIELDS.map(({ key }) => {
                          const name = key.replace('limits.', '') as keyof PolicyDto['limits'];
                          return <li key={key}>{t(`customPolicies.limitList.${name}`, { value: p.limits[name] })}</li>;
                        })}
                      </ul>
                    </TableCell>
                    <TableCell>{t(`policies.actionsShort.${p.action}`)}</TableCell>
                    {canWrite ? (
                      <TableCell>
                        <div className={styles.rowActions}>
                          <Button
                            size="small"
                            onClick={() => {
                              setNotice(null);
                              setTarget({ policy: p });
                            }}
                            aria-label={t('customPolicies.editLabel', { name: p.name })}
                          >
                            {t('customPolicies.edit')}
                          </Button>
                          <Button
                            size="small"
                            onClick={() => {
                              setDeleteError(null);
                              setDeleting(p);
                            }}
                            aria-label={t('customPolicies.deleteLabel', { name: p.name })}
                          >
                            {t('customPolicies.delete')}
                          </Button>
                        </div>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )
        }
      </LoadGate>
      <CustomPolicyDrawer
        target={target}
        defaults={props.defaults}
        existing={existing}
        onClose={() => setTarget(null)}
        onSaved={(saved, isNew) => {
          setTarget(null);
          setNotice(t(isNew ? 'customPolicies.added' : 'customPolicies.saved', { name: saved.name }));
          list.reload();
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t('customPolicies.confirmTitle', { name: deleting?.name ?? '' })}
        confirmLabel={t('customPolicies.delete')}
        busy={deleteBusy}
        error={deleteError}
        onConfirm={remove}
        onCancel={() => setDeleting(null)}
      >
        {t('customPolicies.confirmBody')}
      </ConfirmDialog>
    </section>
  );
}

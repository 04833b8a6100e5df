import {
  Badge,
  Body1,
  Caption1,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { WhatIfReportDto, WhatIfUserDto } from '../../../../shared/api-schemas-what-if.js';
import { useFormat } from '../../components/format.js';
import { useRuleLabel } from '../../components/rule-label.js';

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalL,
    background: tokens.colorNeutralBackground2,
  },
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  user: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  head: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  timeline: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    borderLeft: `2px solid ${tokens.colorNeutralStroke1}`,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    listStyle: 'none',
  },
});

const CHANGE_COLOR = { new: 'danger', 'no-longer': 'success', still: 'warning', none: 'informative' } as const;

/** The Preview impact answer: totals against reality, then each affected user with a small timeline. */
export function WhatIfPanel(props: { report: WhatIfReportDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const r = props.report;
  const c = r.caveats;
  return (
    <section className={styles.panel} aria-label={t('whatIf.heading')} data-testid="what-if-panel">
      <Subtitle2 as="h3">{t('whatIf.heading')}</Subtitle2>
      <Body1>
        {t('whatIf.range', {
          days: r.days,
          rows: fmt.number(r.rowsReplayed),
          users: fmt.number(r.usersSeen),
        })}
      </Body1>
      {r.isEmpty ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('whatIf.empty')}</MessageBarBody>
        </MessageBar>
      ) : (
        <Body1 data-testid="what-if-summary">
          {t('whatIf.summary', {
            restricted: r.totals.restricted,
            added: r.totals.newRestrictions,
            gone: r.totals.noLongerRestricted,
            refused: fmt.number(r.totals.recipientsRefused),
            actual: fmt.number(r.totals.actualRecipientsRefused),
          })}
        </Body1>
      )}
      {r.isTruncated ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            {t('whatIf.truncated', { shown: r.users.length, total: fmt.number(r.usersAffected) })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {c.deletedUsers + c.guessedKindRows + c.unknownRecipientRows > 0 ? (
        <Caption1>
          {t('whatIf.caveats', {
            deleted: c.deletedUsers,
            guessed: c.guessedKindRows,
            unknown: c.unknownRecipientRows,
          })}
        </Caption1>
      ) : null}
      <ul className={styles.list}>
        {r.users.map((u) => (
          <UserLine key={u.userId} user={u} />
        ))}
      </ul>
      <Caption1>{t('whatIf.nothingSaved')}</Caption1>
    </section>
  );
}

function UserLine(props: { user: WhatIfUserDto }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const rule = useRuleLabel();
  const u = props.user;
  return (
    <li className={styles.user} data-testid={`what-if-user-${u.email}`}>
      <div className={styles.head}>
        <Body1>
          <strong>{u.email}</strong>
        </Body1>
        <Badge appearance="tint" color={CHANGE_COLOR[u.change]}>
          {t(`whatIf.change.${u.change}`)}
        </Badge>
        {u.isDeleted ? <Badge appearance="outline">{t('whatIf.deleted')}</Badge> : null}
        <Caption1>{t('whatIf.refused', { count: u.recipientsRefused, actual: u.actualRecipientsRefused })}</Caption1>
      </div>
      <ol className={styles.timeline}>
        {u.timeline.map((e, i) => (
          <li key={i}>
            <Caption1>
              {fmt.dateTime(e.at)} · {t(`whatIf.event.${e.kind}`)}
              {e.limit > 0 ? ` · ${rule(e.rule)}: ${t('whatIf.countOfLimit', { count: e.count, limit: e.limit })}` : ''}
            </Caption1>
          </li>
        ))}
        {u.actualRestrictedAt !== null ? (
          <li>
            <Caption1>
              {fmt.dateTime(u.actualRestrictedAt)} · {t('whatIf.actualRestricted', { rule: rule(u.actualRule ?? '') })}
            </Caption1>
          </li>
        ) : null}
        {u.omittedEvents > 0 ? (
          <li>
            <Caption1>{t('whatIf.moreEvents', { count: u.omittedEvents })}</Caption1>
          </li>
        ) : null}
      </ol>
    </li>
  );
}

import { useState } from 'react';
import type { ReactNode } from 'react';
import {
  Badge,
  Button,
  Checkbox,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Radio,
  RadioGroup,
  Subtitle2,
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
import type {
  LearnOutcomeDto,
  RestrictedUserDto,
  RestrictionDetailDto,
  UnblockRequest,
} from '../../../../shared/api-schemas.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { useFormat } from '../../components/format.js';
import { useEvidenceSentence } from '../../components/evidence-sentence.js';
import { LoadGate } from '../../components/load-gate.js';
import { EvidenceMessages, RecentMessages } from '../../components/recent-messages.js';
import { ResetPasswordPanel } from '../../components/reset-password-panel.js';
import { useRestoreFocus } from '../../components/restore-focus.js';
import { useRuleLabel } from '../../components/rule-label.js';
import { SecureAccountPanel } from '../../components/secure-account-panel.js';
import { useCan } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { useDrawerStyles } from '../users/user-details-drawer.js';

type Step = RestrictionDetailDto['history'][number]['stepsDone'][number];
type Verdict = NonNullable<UnblockRequest['verdict']>;

const useStyles = makeStyles({
  steps: {
    margin: 0,
    paddingInlineStart: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
  },
  stepHead: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  stepBody: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalS,
  },
  footer: { display: 'flex', gap: tokens.spacingHorizontalS },
});

/** The Unblock flyout: evidence, the recommended steps done right here, then Submit and Yes. */
export function UnblockDrawer(props: {
  row: RestrictedUserDto | null;
  onClose: () => void;
  onUnblocked: (row: RestrictedUserDto, learning: LearnOutcomeDto) => void;
}) {
  const open = props.row !== null;
  useRestoreFocus(open);
  return (
    <OverlayDrawer
      open={open}
      position="end"
      size="medium"
      onOpenChange={(_e, d) => {
        if (!d.open) props.onClose();
      }}
      aria-labelledby="unblock-title"
      data-testid="unblock-drawer"
    >
      {props.row !== null ? (
        <UnblockFlow key={props.row.userId} row={props.row} onClose={props.onClose} onUnblocked={props.onUnblocked} />
      ) : null}
    </OverlayDrawer>
  );
}

function StepItem(props: { title: string; done: boolean; children: ReactNode; testId: string }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <li data-testid={props.testId}>
      <div className={styles.stepHead}>
        <Subtitle2 as="h4">{props.title}</Subtitle2>
        {props.done ? (
          <Badge color="success" appearance="tint">
            {t('unblock.stepDone')}
          </Badge>
        ) : null}
      </div>
      <div className={styles.stepBody}>{props.children}</div>
    </li>
  );
}

function UnblockFlow(props: {
  row: RestrictedUserDto;
  onClose: () => void;
  onUnblocked: (row: RestrictedUserDto, learning: LearnOutcomeDto) => void;
}) {
  const { t } = useTranslation();
  const styles = useStyles();
  const drawer = useDrawerStyles();
  const fmt = useFormat();
  const can = useCan();
  const ruleLabel = useRuleLabel();
  const evidence = useEvidenceSentence();
  const detail = useApiLoad(() => api.getRestricted(props.row.userId), props.row.userId);
  // Kept messages are read by whoever may unblock, which is whoever sees this flyout.
  const kept = useApiLoad(() => api.listEvidence(props.row.userId), `evidence:${props.row.userId}`);
  const [verdict, setVerdict] = useState<Verdict | 'none'>('none');
  const [steps, setSteps] = useState<readonly Step[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const addSteps = (...more: Step[]) => setSteps((s) => [...new Set([...s, ...more])]);
  const toggleStep = (step: Step, on: boolean) =>
    setSteps((s) => (on ? [...new Set([...s, step])] : s.filter((x) => x !== step)));

  const unblock = () => {
    setBusy(true);
    setError(null);
    api
      .unblock(props.row.userId, {
        confirm: true,
        stepsDone: [...steps],
        ...(verdict === 'none' ? {} : { verdict }),
      })
      .then((reply) => {
        setConfirming(false);
        props.onUnblocked(props.row, reply.learning);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  return (
    <>
      <DrawerHeader>
        <DrawerHeaderTitle
          id="unblock-title"
          heading={{ as: 'h2' }}
          action={
            <Button appearance="subtle" onClick={props.onClose}>
              {t('common.close')}
            </Button>
          }
        >
          {t('unblock.title', { email: props.row.email })}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <LoadGate state={detail}>
          {(d) => (
            <>
              <section className={drawer.section} aria-labelledby="evidence-heading">
                <Subtitle2 as="h3" id="evidence-heading">
                  {t('unblock.evidence')}
                </Subtitle2>
                <Text weight="semibold">{ruleLabel(d.evidence.rule)}</Text>
                <Text data-testid="evidence-summary">{evidence(d)}</Text>
                <dl className={drawer.facts}>
                  <dt className={drawer.term}>{t('restricted.restrictedAt')}</dt>
                  <dd className={drawer.dd}>{fmt.dateTime(d.restrictedAt)}</dd>
                  <dt className={drawer.term}>{t('restricted.release')}</dt>
                  <dd className={drawer.dd}>
                    {d.releaseAt !== null ? fmt.dateTime(d.releaseAt) : t('restricted.untilUnblocked')}
                  </dd>
                  {d.evidence.limit !== undefined ? (
                    <>
                      <dt className={drawer.term}>{t('unblock.limit')}</dt>
                      <dd className={drawer.dd}>{fmt.number(d.evidence.limit)}</dd>
                    </>
                  ) : null}
                  <dt className={drawer.term}>{t('unblock.previous')}</dt>
                  <dd className={drawer.dd}>
                    {t('unblock.previousCount', { count: Math.max(0, d.history.length - 1) })}
                  </dd>
                  <dt className={drawer.term}>{t('unblock.unblocksLeft')}</dt>
                  <dd className={drawer.dd} data-testid="unblocks-left">
                    {fmt.number(d.unblocksLeft)}
                  </dd>
                </dl>
                {Object.keys(d.evidence.counts).length > 0 ? (
                  <Table size="small" aria-label={t('unblock.counts')}>
                    <TableHeader>
                      <TableRow>
                        <TableHeaderCell>{t('unblock.window')}</TableHeaderCell>
                        <TableHeaderCell>{t('unblock.count')}</TableHeaderCell>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {Object.entries(d.evidence.counts).map(([name, count]) => (
                        <TableRow key={name}>
                          <TableCell>{ruleLabel(name)}</TableCell>
                          <TableCell>{fmt.number(count)}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                ) : null}
                {d.unblocksLeft <= 0 ? (
                  <MessageBar intent="warning">
                    <MessageBarBody>{t('unblock.noUnblocksLeft')}</MessageBarBody>
                  </MessageBar>
                ) : null}
              </section>
              <section className={drawer.section} aria-labelledby="steps-heading">
                <Subtitle2 as="h3" id="steps-heading">
                  {t('unblock.steps')}
                </Subtitle2>
                <Text>{t('unblock.stepsIntro')}</Text>
                <ol className={styles.steps}>
                  {can('users.reset-password') ? (
                    <StepItem
                      title={t('actions.resetPassword')}
                      done={steps.includes('reset-password')}
                      testId="step-reset-password"
                    >
                      <ResetPasswordPanel user={d.user} onDone={() => addSteps('reset-password')} />
                    </StepItem>
                  ) : null}
                  {can('users.secure-account') ? (
                    <StepItem
                      title={t('unblock.stepSecure')}
                      done={steps.includes('revoke-sessions')}
                      testId="step-secure"
                    >
                      <Text>{t('secureAccount.description')}</Text>
                      <SecureAccountPanel
                        user={d.user}
                        onDone={(reply) =>
                          reply.temporaryPassword !== null
                            ? addSteps('revoke-sessions', 'revoke-app-passwords', 'reset-password')
                            : addSteps('revoke-sessions', 'revoke-app-passwords')
                        }
                      />
                    </StepItem>
                  ) : null}
                  <StepItem title={t('unblock.stepTotp')} done={steps.includes('require-totp')} testId="step-totp">
                    {d.user.totpEnrolled ? <Text>{t('unblock.totpEnrolled')}</Text> : null}
                    <Checkbox
                      checked={steps.includes('require-totp')}
                      onChange={(_e, c) => toggleStep('require-totp', c.checked === true)}
                      label={t('unblock.requireTotp')}
                    />
                  </StepItem>
                  <StepItem
                    title={t('unblock.stepReview')}
                    done={steps.includes('review-messages')}
                    testId="step-review"
                  >
                    <Subtitle2 as="h5">{t('unblock.keptMessages')}</Subtitle2>
                    <LoadGate state={kept}>
                      {(k) => <EvidenceMessages userId={props.row.userId} items={k.items} />}
                    </LoadGate>
                    <Subtitle2 as="h5">{t('unblock.logHeading')}</Subtitle2>
                    <RecentMessages messages={d.recentMessages} />
                    <Checkbox
                      checked={steps.includes('review-messages')}
                      onChange={(_e, c) => toggleStep('review-messages', c.checked === true)}
                      label={t('unblock.reviewed')}
                    />
                  </StepItem>
                  <StepItem title={t('unblock.stepVerdict')} done={verdict !== 'none'} testId="step-verdict">
                    <Text>{t('unblock.verdictIntro')}</Text>
                    <RadioGroup
                      value={verdict}
                      onChange={(_e, v) => setVerdict(v.value as Verdict | 'none')}
                      aria-label={t('unblock.stepVerdict')}
                      data-testid="unblock-verdict"
                    >
                      <Radio value="none" label={t('unblock.verdictNone')} />
                      <Radio value="false-positive" label={t('unblock.verdictFalsePositive')} />
                      <Radio value="confirmed-hijack" label={t('unblock.verdictHijack')} />
                    </RadioGroup>
                  </StepItem>
                </ol>
              </section>
            </>
          )}
        </LoadGate>
      </DrawerBody>
      <DrawerFooter className={styles.footer}>
        <Button
          appearance="primary"
          onClick={() => setConfirming(true)}
          disabled={detail.status !== 'ok'}
          data-testid="unblock-submit"
        >
          {t('unblock.submit')}
        </Button>
        <Button onClick={props.onClose}>{t('common.cancel')}</Button>
      </DrawerFooter>
      <ConfirmDialog
        open={confirming}
        title={t('unblock.confirmTitle', { email: props.row.email })}
        busy={busy}
        error={error}
        onConfirm={unblock}
        onCancel={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        {t('unblock.confirmBody', { email: props.row.email, steps: steps.length })}
      </ConfirmDialog>
    </>
  );
}

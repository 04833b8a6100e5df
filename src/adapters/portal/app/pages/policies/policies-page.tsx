import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Subtitle1,
  Subtitle2,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/error-text.js';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { PolicyDto } from '../../../../shared/api-schemas-admin.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useFormat } from '../../components/format.js';
import { LoadGate } from '../../components/load-gate.js';
import { PageHeader } from '../../components/page-header.js';
import { useCan } from '../../components/session.js';
import { toApiError, useApiLoad } from '../../components/use-api-load.js';
import { CustomPoliciesSection } from './custom-policies-section.js';
import { WhatIfPanel } from './what-if-panel.js';
import type { WhatIfReportDto } from '../../../../shared/api-schemas-what-if.js';
import { NUMBER_FIELDS, POLICY_ACTIONS, checkField, formFromPolicy, requestFromForm } from './policy-rules.js';
import type { NumberKey, PolicyForm } from './policy-rules.js';

const GROUPS: readonly { heading: string; keys: readonly NumberKey[] }[] = [
  {
    heading: 'policies.limitsHeading',
    keys: [
      'limits.externalPerHour',
      'limits.internalPerHour',
      'limits.perDay',
      'limits.messagesPerMinute',
      'limits.recipientsPerMessage',
    ],
  },
  { heading: 'policies.spamHeading', keys: ['spamVerdictsToRestrict', 'spamWindowMinutes', 'spamScoreThreshold'] },
  { heading: 'policies.unblockHeading', keys: ['unblockCap', 'unblockWindowDays'] },
];

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '720px' },
  group: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
    gap: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalL,
    background: tokens.colorNeutralBackground1,
    margin: 0,
  },
  heading: { display: 'block', marginBottom: tokens.spacingVerticalM },
  legend: { padding: `0 ${tokens.spacingHorizontalXS}` },
});

/** The default outbound spam policy editor (limits, action, spam verdicts, the published unblock cap), then the custom policies. */
export function PoliciesPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const policy = useApiLoad(() => api.getPolicy(), 'policy');
  return (
    <>
      <PageHeader title={t('nav.policies')} description={t('policies.description')} />
      <LoadGate state={policy}>
        {(p) => (
          <>
            <Subtitle1 as="h2" className={styles.heading}>
              {t('policies.defaultHeading')}
            </Subtitle1>
            <PolicyEditor key={p.updatedAt} policy={p} />
            <CustomPoliciesSection defaults={p} />
          </>
        )}
      </LoadGate>
    </>
  );
}

function PolicyEditor(props: { policy: PolicyDto }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const styles = useStyles();
  const fmt = useFormat();
  const can = useCan();
  const isReadOnly = !can('policy.write');
  const [form, setForm] = useState<PolicyForm>(() => formFromPolicy(props.policy));
  const [saved, setSaved] = useState<PolicyDto>(props.policy);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<WhatIfReportDto | null>(null);

  const problems = Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, checkField(f, form[f.key])])) as Record<
    NumberKey,
    ReturnType<typeof checkField>
  >;
  const hasProblems = Object.values(problems).some((p) => p !== null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setNotice(false);
    if (hasProblems) return;
    setBusy(true);
    setError(null);
    api
      .updatePolicy(requestFromForm(form))
      .then((p) => {
        setSaved(p);
        setForm(formFromPolicy(p));
        setNotice(true);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  /** Preview impact: the last 7 days of the log replayed through the form as it stands; nothing is saved. */
  const previewImpact = () => {
    setTouched(true);
    setNotice(false);
    if (hasProblems) return;
    setBusy(true);
    setError(null);
    setPreview(null);
    api
      .whatIfPolicy(requestFromForm(form))
      .then(setPreview)
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  const messageFor = (key: NumberKey): string | undefined => {
    if (error !== null && (error.field === key || error.field === key.replace('limits.', ''))) return errorText(error);
    const p = problems[key];
    return touched && p !== null ? t(p.key, p.values) : undefined;
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="policy-form">
      {notice ? (
        <MessageBar intent="success" role="status">
          <MessageBarBody>{t('policies.saved', { at: fmt.dateTime(saved.updatedAt) })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {isReadOnly ? (
        <MessageBar intent="info">
          <MessageBarBody>{t('policies.readOnly')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error !== null && error.field === undefined ? <ApiErrorBar error={error} /> : null}
      {touched && hasProblems ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{t('policies.fixErrors')}</MessageBarBody>
        </MessageBar>
      ) : null}
      <Field label={t('policies.action')} hint={t(`policies.actionHints.${form.action}`)}>
        <Dropdown
          value={t(`policies.actions.${form.action}`)}
          selectedOptions={[form.action]}
          disabled={isReadOnly}
          onOptionSelect={(_e, d) => {
            const value = POLICY_ACTIONS.find((a) => a === d.optionValue);
            if (value !== undefined) setForm({ ...form, action: value });
          }}
        >
          {POLICY_ACTIONS.map((a) => (
            <Option key={a} value={a}>
              {t(`policies.actions.${a}`)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      {GROUPS.map((group) => (
        <fieldset key={group.heading} className={styles.group}>
          <legend className={styles.legend}>
            <Subtitle2>{t(group.heading)}</Subtitle2>
          </legend>
          {group.keys.map((key) => {
            const message = messageFor(key);
            return (
              <Field
                key={key}
                label={t(`policies.fields.${key.replace('limits.', '')}`)}
                hint={t(`policies.hints.${key.replace('limits.', '')}`)}
                validationMessage={message}
                validationState={message !== undefined ? 'error' : 'none'}
              >
                <Input
                  type="number"
                  inputMode="decimal"
                  value={form[key]}
                  readOnly={isReadOnly}
                  onChange={(_e, d) => setForm({ ...form, [key]: d.value })}
                  data-testid={`policy-${key}`}
                />
              </Field>
            );
          })}
        </fieldset>
      ))}
      <Switch
        checked={form.autoForwarding}
        disabled={isReadOnly}
        onChange={(_e, d) => setForm({ ...form, autoForwarding: d.checked })}
        label={t('policies.autoForwarding')}
      />
      {preview !== null ? <WhatIfPanel report={preview} /> : null}
      <div style={{ display: 'flex', gap: 8 }}>
        <Button type="button" disabled={busy} onClick={previewImpact} data-testid="policy-preview">
          {t('whatIf.preview')}
        </Button>
      </div>
      {!isReadOnly ? (
        <div style={{ display: 'flex', gap: 8 }}>
          <Button
            appearance="primary"
            type="submit"
            disabled={busy}
            icon={busy ? <Spinner size="tiny" /> : undefined}
            data-testid="policy-save"
          >
            {t('common.save')}
          </Button>
          <Button
            type="button"
            onClick={() => {
              setForm(formFromPolicy(saved));
              setTouched(false);
              setError(null);
            }}
          >
            {t('common.discard')}
          </Button>
        </div>
      ) : null}
    </form>
  );
}

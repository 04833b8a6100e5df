import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  OverlayDrawer,
  Spinner,
  Subtitle2,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { ApiError } from '../../api.js';
import type { PolicyDto } from '../../../../shared/api-schemas-admin.js';
import { ApiErrorBar } from '../../components/api-error-bar.js';
import { useErrorText } from '../../components/error-text.js';
import { useRestoreFocus } from '../../components/restore-focus.js';
import { toApiError } from '../../components/use-api-load.js';
import {
  LIMIT_FIELDS,
  SCOPE_KEYS,
  checkCustomForm,
  formForNew,
  formFromCustom,
  requestFromCustomForm,
} from './custom-policy-rules.js';
import type { CustomPolicyForm, FormField } from './custom-policy-rules.js';
import { POLICY_ACTIONS } from './policy-rules.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  group: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalL,
    margin: 0,
  },
  legend: { padding: `0 ${tokens.spacingHorizontalXS}` },
  scopeError: { color: tokens.colorPaletteRedForeground1 },
  footer: { display: 'flex', gap: tokens.spacingHorizontalS },
});

/** What the drawer edits: a new policy (null) or an existing custom one. */
export type DrawerTarget = { readonly policy: PolicyDto | null } | null;

/** Add or edit a custom policy in a flyout; focus moves in on open and back to the opener on close. */
export function CustomPolicyDrawer(props: {
  target: DrawerTarget;
  defaults: PolicyDto;
  existing: readonly PolicyDto[];
  onClose: () => void;
  onSaved: (policy: PolicyDto, isNew: boolean) => void;
}) {
  const open = props.target !== null;
  useRestoreFocus(open);
  return (
    <OverlayDrawer
      open={open}
      position="end"
      size="medium"
      onOpenChange={(_e, d) => {
        if (!d.open) props.onClose();
      }}
      aria-labelledby="custom-policy-title"
      data-testid="custom-policy-drawer"
    >
      {props.target !== null ? (
        <CustomPolicyEditor
          key={props.target.policy?.id ?? 'new'}
          policy={props.target.policy}
          defaults={props.defaults}
          existing={props.existing}
          onClose={props.onClose}
          onSaved={props.onSaved}
        />
      ) : null}
    </OverlayDrawer>
  );
}

function CustomPolicyEditor(props: {
  policy: PolicyDto | null;
  defaults: PolicyDto;
  existing: readonly PolicyDto[];
  onClose: () => void;
  onSaved: (policy: PolicyDto, isNew: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const styles = useStyles();
  const isNew = props.policy === null;
  const [form, setForm] = useState<CustomPolicyForm>(() =>
    props.policy === null ? formForNew(props.defaults, props.existing) : formFromCustom(props.policy),
  );
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const others = props.existing.filter((p) => p.id !== props.policy?.id);
  const problems = checkCustomForm(form, others);
  const hasProblems = Object.keys(problems).length > 0;

  // A field the server refused: its own sentence in English, a translated one elsewhere (limits
  // use the same error texts as the default policy editor).
  const serverMessage = (field: FormField): string | undefined => {
    if (error === null || error.field === undefined) return undefined;
    const f = error.field;
    const matches = f === field || (field === 'scope' && f.startsWith('scope')) || f === field.replace('limits.', '');
    if (!matches) return undefined;
    if (field.startsWith('limits.')) return errorText(error);
    if (i18n.language === 'en' && error.message !== '') return error.message;
    return t(
      field === 'name'
        ? 'customPolicies.invalid.nameTaken'
        : field === 'priority'
          ? 'customPolicies.invalid.priorityTaken'
          : 'customPolicies.invalid.scopeRejected',
    );
  };
  const messageFor = (field: FormField): string | undefined => {
    const server = serverMessage(field);
    if (server !== undefined) return server;
    const p = problems[field];
    return touched && p !== undefined ? t(p.key, p.values) : undefined;
  };
  const fieldProps = (field: FormField) => {
    const message = messageFor(field);
    return {
      validationMessage: message,
      validationState: message !== undefined ? ('error' as const) : ('none' as const),
    };
  };
  const shownFields: readonly FormField[] = [
    'name',
    'priority',
    'scope',
    ...SCOPE_KEYS,
    ...LIMIT_FIELDS.map((f) => f.key),
  ];
  const isFieldError = shownFields.some((f) => serverMessage(f) !== undefined);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setError(null);
    if (hasProblems) return;
    setBusy(true);
    const body = requestFromCustomForm(form);
    (props.policy === null ? api.createCustomPolicy(body) : api.updateCustomPolicy(props.policy.id, body))
      .then((saved) => props.onSaved(saved, isNew))
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setBusy(false));
  };

  const scopeMessage = messageFor('scope');
  const title = isNew
    ? t('customPolicies.addTitle')
    : t('customPolicies.editTitle', { name: props.policy?.name ?? '' });
  return (
    <form onSubmit={submit} noValidate style={{ display: 'contents' }} data-testid="custom-policy-form">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="custom-policy-title"
          heading={{ as: 'h2' }}
          action={
            <Button appearance="subtle" aria-label={t('common.close')} onClick={props.onClose}>
              {t('common.close')}
            </Button>
          }
        >
          {title}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={styles.form}>
          {error !== null && !isFieldError ? <ApiErrorBar error={error} /> : null}
          {touched && hasProblems ? (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>{t('policies.fixErrors')}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Field label={t('customPolicies.name')} required {...fieldProps('name')}>
            <Input
              value={form.name}
              onChange={(_e, d) => setForm({ ...form, name: d.value })}
              data-testid="custom-policy-name"
            />
          </Field>
          <Field
            label={t('customPolicies.priority')}
            hint={t('customPolicies.priorityHint')}
            required
            {...fieldProps('priority')}
          >
            <Input
              type="number"
              inputMode="numeric"
              value={form.priority}
              onChange={(_e, d) => setForm({ ...form, priority: d.value })}
            />
          </Field>
          <fieldset
            className={styles.group}
            aria-describedby={scopeMessage !== undefined ? 'custom-policy-scope-error' : undefined}
          >
            <legend className={styles.legend}>
              <Subtitle2>{t('customPolicies.appliesTo')}</Subtitle2>
            </legend>
            <Text size={200}>{t('customPolicies.scopeHint')}</Text>
            {scopeMessage !== undefined ? (
              <Text id="custom-policy-scope-error" role="alert" className={styles.scopeError}>
                {scopeMessage}
              </Text>
            ) : null}
            {SCOPE_KEYS.map((key) => (
              <Field
                key={key}
                label={t(`customPolicies.scope.${key}`)}
                hint={t(`customPolicies.scopeHints.${key}`)}
                {...fieldProps(key)}
              >
                <Textarea
                  rows={2}
                  resize="vertical"
                  value={form[key]}
                  onChange={(_e, d) => setForm({ ...form, [key]: d.value })}
                  data-testid={`custom-policy-${key}`}
                />
              </Field>
            ))}
          </fieldset>
          <Field label={t('policies.action')} hint={t(`policies.actionHints.${form.action}`)}>
            <Dropdown
              value={t(`policies.actions.${form.action}`)}
              selectedOptions={[form.action]}
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
          <fieldset className={styles.group}>
            <legend className={styles.legend}>
              <Subtitle2>{t('policies.limitsHeading')}</Subtitle2>
            </legend>
            {LIMIT_FIELDS.map(({ key }) => (
              <Field
                key={key}
                label={t(`policies.fields.${key.replace('limits.', '')}`)}
                hint={t(`policies.hints.${key.replace('limits.', '')}`)}
                {...fieldProps(key)}
              >
                <Input
                  type="number"
                  inputMode="numeric"
                  value={form[key]}
                  onChange={(_e, d) => setForm({ ...form, [key]: d.value })}
                />
              </Field>
            ))}
          </fieldset>
          <Text size={200}>{t('customPolicies.otherSettings')}</Text>
        </div>
      </DrawerBody>
      <DrawerFooter>
        <div className={styles.footer}>
          <Button
            appearance="primary"
            type="submit"
            disabled={busy}
            icon={busy ? <Spinner size="tiny" /> : undefined}
            data-testid="custom-policy-save"
          >
            {t('common.save')}
          </Button>
          <Button type="button" onClick={props.onClose}>
            {t('common.cancel')}
          </Button>
        </div>
      </DrawerFooter>
    </form>
  );
}

import { useState } from 'react';
import { Field, Input } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { dayPattern, formatDay, parseDay } from './day-format.js';
import type { DayPart, DayPattern } from './day-format.js';

const PART_KEYS: Readonly<Record<DayPart, string>> = {
  day: 'dateInput.day',
  month: 'dateInput.month',
  year: 'dateInput.year',
};

/**
 * A date field in the portal language's order (dd.mm.yyyy in Romanian), whatever the browser's
 * locale: a native date input would follow the browser. The placeholder shows the pattern in the
 * language's letters (zz.ll.aaaa); text that is not a date is named once the field is left or the
 * form submitted.
 */
export function DayInput(props: {
  label: string;
  /** yyyy-mm-dd or '': what the field shows first. */
  initialDay: string;
  /** Every change: yyyy-mm-dd, '' when empty, null when the text is not a date. */
  onDay: (day: string | null) => void;
  /** The form was submitted: show the error without waiting for the field to be left. */
  isSubmitted: boolean;
  testId: string;
}) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const pattern = dayPattern(lng);
  const [text, setText] = useState(() => formatDay(props.initialDay, pattern));
  const [textLng, setTextLng] = useState(lng);
  const [isLeft, setIsLeft] = useState(false);
  // The language changed: rewrite a valid date in the new order (React's "adjust state on a prop change").
  if (textLng !== lng) {
    setTextLng(lng);
    const day = parseDay(text, dayPattern(textLng));
    if (day) setText(formatDay(day, pattern));
  }
  const shown = patternText(pattern, (p) => t(PART_KEYS[p]));
  const isInvalid = parseDay(text, pattern) === null && (isLeft || props.isSubmitted);
  return (
    <Field
      label={props.label}
      validationState={isInvalid ? 'error' : 'none'}
      validationMessage={isInvalid ? t('dateInput.invalid', { pattern: shown }) : undefined}
    >
      <Input
        value={text}
        placeholder={shown}
        inputMode="numeric"
        autoComplete="off"
        data-testid={props.testId}
        onChange={(_e, d) => {
          setText(d.value);
          setIsLeft(false);
          props.onDay(parseDay(d.value, pattern));
        }}
        onBlur={() => setIsLeft(true)}
      />
    </Field>
  );
}

function patternText(pattern: DayPattern, letters: (p: DayPart) => string): string {
  return pattern.order.map(letters).join(pattern.separator);
}

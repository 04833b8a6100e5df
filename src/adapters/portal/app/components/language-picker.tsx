import { Dropdown, Option, useId } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, switchLanguage } from '../i18n/i18n.js';
import type { Language } from '../i18n/i18n.js';

/** The header's language switch; the choice is saved in this browser. */
export function LanguagePicker() {
  const { t } = useTranslation();
  const labelId = useId('language-label');
  const lng = currentLanguage();
  return (
    <>
      <span id={labelId} className="sw-visually-hidden">
        {t('header.language')}
      </span>
      <Dropdown
        aria-labelledby={labelId}
        value={LANGUAGE_NAMES[lng]}
        selectedOptions={[lng]}
        onOptionSelect={(_e, data) => {
          if (data.optionValue !== undefined) void switchLanguage(data.optionValue as Language);
        }}
        style={{ minWidth: 150 }}
        data-testid="language-picker"
      >
        {LANGUAGES.map((code) => (
          <Option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </Option>
        ))}
      </Dropdown>
    </>
  );
}

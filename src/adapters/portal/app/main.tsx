import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { I18nextProvider } from 'react-i18next';
import i18next from 'i18next';
import { App } from './app.js';
import { initI18n } from './i18n/i18n.js';

const container = document.getElementById('root');
if (container === null) throw new Error('The page has no #root element.');

const root = createRoot(container);

// Render only once the chosen catalogue is loaded, so no raw key ever flashes on screen.
void initI18n().then(() => {
  root.render(
    <StrictMode>
      <I18nextProvider i18n={i18next}>
        <FluentProvider theme={webLightTheme} style={{ background: 'transparent' }}>
          <App />
        </FluentProvider>
      </I18nextProvider>
    </StrictMode>,
  );
});

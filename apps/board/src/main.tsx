import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { setupI18n } from './i18n/index.js';
import { App } from './ui/App.js';
import './styles.css';

// The service worker (public/sw.js, the app offline) is registered once the board is shown: session/after-board-shown.ts.
const i18n = await setupI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);

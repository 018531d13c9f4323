/**
 * The connection as the header shows it, always in view: connected, reconnecting, offline (as soon
 * as the browser knows: BoardSession listens to its offline event) or stopped (with why, and what
 * can be done), and whether this device's changes have reached the server, or how many wait here
 * ("Van mreže" · "3 izmjene čekaju na ovom uređaju").
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { CloseCode } from '@tabla/sync-protocol';
import type { SessionState } from '../session/board-session.js';
import { canEditActivities, useSession, useSessionState } from './context.js';
import { SavedIndicator } from './SavedIndicator.js';

export function ConnectionStatus() {
  const { t } = useTranslation();
  const session = useSession();
  const state = useSessionState();
  return (
    <div className="topbar__status">
      <p className={`connection connection--${state.connection}`} role="status" aria-label={t('connection.label')} data-state={state.connection}>
        <span className="connection__dot" aria-hidden="true" />
        {state.connection === 'stopped' ? t('connection.stopped', { reason: unreachableReason(t, state.stopped) }) : t(`connection.${state.connection}`)}
      </p>
      {state.connection === 'stopped' && (
        <>
          <button type="button" className="connection__action" onClick={() => session.retry()}>
            {t('connection.retry')}
          </button>
          {/* This device's changes are what cannot go: keep them aside and go on from the server's board. */}
          {state.stopped?.code === CloseCode.messageTooBig && (
            <button type="button" className="connection__action" onClick={() => session.setAsideLocalWork()}>
              {t('connection.setAside')}
            </button>
          )}
        </>
      )}
      {canEditActivities(state) && <SavedIndicator />}
    </div>
  );
}

/** Why reconnecting cannot help, as the header says it ("Ne možemo se povezati: …"). */
function unreachableReason(t: TFunction, stopped: SessionState['stopped']): string {
  const code = stopped?.code ?? 0;
  if (code === CloseCode.messageTooBig) return t('unreachable.tooBig');
  if (code === CloseCode.badMessage || code === CloseCode.unsupportedData) return t('unreachable.badMessage');
  return t('unreachable.other', { code });
}

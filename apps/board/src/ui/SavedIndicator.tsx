import { useTranslation } from 'react-i18next';
import type { SavedState } from '../session/board-session.js';
import { useSessionState } from './context.js';

/** The dot's colour, borrowed from the connection indicator's states (green, amber). */
const DOT: Record<SavedState, string> = { saved: 'connected', saving: 'connecting', 'unsaved-offline': 'reconnecting' };

/**
 * "Have my changes reached the server?": confirmed by the server's answer to a flush (BoardSession).
 * Without a connection, how many wait on this device ("3 izmjene čekaju na ovom uređaju").
 */
export function SavedIndicator() {
  const { t } = useTranslation();
  const { saved, pending = 0 } = useSessionState();
  const text = { saved: t('saved.saved'), saving: t('saved.saving'), 'unsaved-offline': t('saved.waiting', { count: Math.max(1, pending) }) }[saved];
  return (
    <p className={`connection saved connection--${DOT[saved]}`} role="status" aria-label={t('saved.label')} data-state={saved}>
      <span className="connection__dot" aria-hidden="true" />
      {text}
    </p>
  );
}

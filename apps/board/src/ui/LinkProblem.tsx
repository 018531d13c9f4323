import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionState } from '../session/board-session.js';
import './notices.css';

/**
 * The board's link does not work (the session is `refused`): what happened, as far as the server
 * said (withdrawn or replaced while the board was open; otherwise unknown to it, which is all a
 * server that keeps tokens hashed can tell), and whom to ask: the facilitator, for a new link.
 */
export function LinkProblem({ refusal, pending }: { refusal: SessionState['refusal']; pending: number }) {
  const { t } = useTranslation();
  const id = useId();
  const revoked = refusal === 'revoked';
  return (
    <main className="notice link-problem">
      <section role="alert" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>{revoked ? t('badLink.revokedTitle') : t('badLink.title')}</h1>
        <p>{revoked ? t('badLink.revoked') : t('badLink.unknown')}</p>
        <p className="link-problem__ask">{t('badLink.ask')}</p>
        {pending > 0 && <p>{t('badLink.pending', { count: pending })}</p>}
      </section>
      <button type="button" onClick={() => window.location.reload()}>
        {t('connection.retry')}
      </button>
    </main>
  );
}

import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useAwarenessStates } from '@tabla/plan-react';
import { CloseCode } from '@tabla/sync-protocol';
import { SetupButton } from '../facilitator/SetupButton.js';
import { VersionsButton } from '../versions/VersionsButton.js';
import { PlanButtons } from '../plan/PlanButtons.js';
import { LANGUAGES } from '../i18n/index.js';
import type { PresenceUser, SessionState } from '../session/board-session.js';
import { canEditActivities, useSession, useSessionState } from './context.js';
import { SavedIndicator } from './SavedIndicator.js';
import { UndoButtons } from './UndoButtons.js';

export function Header({ title, onChangeIdentity }: { title: string; onChangeIdentity: () => void }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const state = useSessionState();
  const states = useAwarenessStates(session.awareness);
  const people = [...states.entries()]
    .map(([clientId, s]) => ({ clientId, user: s.user as PresenceUser | undefined }))
    .filter((p): p is { clientId: number; user: PresenceUser } => typeof p.user?.name === 'string');

  return (
    <header className="topbar">
      <h1 className="topbar__title">{title || t('app.name')}</h1>
      {state.role && <span className="role-badge">{t(`role.${state.role}`)}</span>}
      {state.role === 'facilitator' && <SetupButton />}
      <VersionsButton />
      <PlanButtons />
      {canEditActivities(state) && <UndoButtons />}
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
      <section className="presence" aria-labelledby="presence-title">
        <h2 id="presence-title" className="presence__title">
          {t('presence.onlineNow')} <span className="presence__count">({t('presence.count', { count: people.length })})</span>
        </h2>
        <ul className="presence__list">
          {people.map(({ clientId, user }) => (
            <li key={clientId} className="presence__person" title={user.name}>
              <span className="swatch" aria-hidden="true" style={{ background: user.color }} />
              {user.name}
              {clientId === session.awareness.clientID && (
                <>
                  {' '}
                  {t('presence.you')}{' '}
                  <button type="button" className="link-button" onClick={onChangeIdentity}>
                    {t('join.change')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
      <a
        className="export-link"
        href={`/api/boards/${encodeURIComponent(session.link.boardId)}/export.csv?token=${encodeURIComponent(session.link.token)}`}
        download
      >
        {t('export.csv')}
      </a>
      <a
        className="export-link"
        href={`/api/boards/${encodeURIComponent(session.link.boardId)}/export.xlsx?token=${encodeURIComponent(session.link.token)}`}
        download
      >
        {t('export.xlsx')}
      </a>
      {(['bs', 'sr-Cyrl-BA'] as const).map((lang) => (
        <a key={lang} className="export-link" href={pdfHref(session.link, state.role, lang)} download>
          {t(lang === 'bs' ? 'export.pdfBs' : 'export.pdfSr')}
        </a>
      ))}
      <a className="export-link" href={pdfHref(session.link, state.role, i18n.language === 'sr-Cyrl-BA' ? 'sr-Cyrl-BA' : i18n.language === 'en' ? 'en' : 'bs', 'progress')} download>
        {t('export.progressPdf')}
      </a>
      <label className="language">
        <span className="visually-hidden">{t('language.label')}</span>
        <select value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
          {LANGUAGES.map((lng) => (
            <option key={lng} value={lng} lang={lng}>
              {t(`language.${lng}`)}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

/**
 * The official plan document (PDF) in `lang`. The server prints a QR code to the live board only
 * for a read-only link of this board, which it cannot know by itself (tokens are stored hashed):
 * a viewer passes its own link; other roles pass none (an editing link never goes on paper).
 */
export function pdfHref(link: { boardId: string; token: string }, role: string | null, lang: 'bs' | 'sr-Cyrl-BA' | 'en', report: 'plan' | 'progress' = 'plan'): string {
  const board = encodeURIComponent(link.boardId);
  const params = new URLSearchParams({ token: link.token, lang });
  if (report === 'progress') params.set('report', 'progress');
  if (role === 'viewer') params.set('link', `${window.location.origin}/b/${board}?token=${encodeURIComponent(link.token)}`);
  return `/api/boards/${board}/export.pdf?${params.toString()}`;
}

/** Why reconnecting cannot help, as the header says it ("Ne možemo se povezati: …"). */
function unreachableReason(t: TFunction, stopped: SessionState['stopped']): string {
  const code = stopped?.code ?? 0;
  if (code === CloseCode.messageTooBig) return t('unreachable.tooBig');
  if (code === CloseCode.badMessage || code === CloseCode.unsupportedData) return t('unreachable.badMessage');
  return t('unreachable.other', { code });
}

import { useTranslation } from 'react-i18next';
import { useAwarenessStates } from '@tabla/plan-react';
import { SetupButton } from '../facilitator/SetupButton.js';
import { VersionsButton } from '../versions/VersionsButton.js';
import { PlanMenu } from '../plan/PlanMenu.js';
import { LANGUAGES } from '../i18n/index.js';
import type { PresenceUser } from '../session/board-session.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { canEditActivities, useSession, useSessionState } from './context.js';
import { UndoButtons } from './UndoButtons.js';

/**
 * The board's header, which stays in view: the title and role, this device's connection and saved
 * state, undo, who is online, and the tools (set-up, versions, the plan menu, the language).
 */
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
      <ConnectionStatus />
      {canEditActivities(state) && <UndoButtons />}
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
      <nav className="topbar__tools" aria-label={t('app.tools')}>
        {state.role === 'facilitator' && <SetupButton />}
        <VersionsButton />
        <PlanMenu />
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
      </nav>
    </header>
  );
}

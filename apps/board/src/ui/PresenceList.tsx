/**
 * "Trenutno online": the people at the board, from presence, with this person's own entry (and
 * "change"). A projector (the read-only link on the wall) is listed as a projector, not counted
 * as a person: it asked nobody's name.
 */
import { useTranslation } from 'react-i18next';
import { useAwarenessStates } from '@tabla/plan-react';
import { isProjectorPresence, type PresenceUser } from '../session/board-session.js';
import { useSession } from './context.js';

export function PresenceList({ onChangeIdentity }: { onChangeIdentity: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const states = useAwarenessStates(session.awareness);
  const self = session.awareness.clientID;
  const people: { clientId: number; user: PresenceUser }[] = [];
  const projectors: number[] = [];
  for (const [clientId, s] of states) {
    const user: unknown = s.user;
    if (isProjectorPresence(user)) projectors.push(clientId);
    else if (typeof (user as PresenceUser | undefined)?.name === 'string') people.push({ clientId, user: user as PresenceUser });
  }

  return (
    <section className="presence" aria-labelledby="presence-title">
      <h2 id="presence-title" className="presence__title">
        {t('presence.onlineNow')} <span className="presence__count">({t('presence.count', { count: people.length })})</span>
      </h2>
      <ul className="presence__list">
        {people.map(({ clientId, user }) => (
          <li key={clientId} className="presence__person" title={user.name}>
            <span className="swatch" aria-hidden="true" style={{ background: user.color }} />
            {user.name}
            {clientId === self && (
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
        {projectors.map((clientId) => (
          <li key={clientId} className="presence__person presence__projector">
            <ProjectorIcon />
            {t('wall.projector')}
            {clientId === self && <> {t('presence.you')}</>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A small screen on a stand: the projector's mark in the list (words say it too). */
function ProjectorIcon() {
  return (
    <svg className="presence__projector-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <rect x="1.5" y="2" width="13" height="9" rx="1" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M8 11v3M5 14.5h6" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}

import { useTranslation } from 'react-i18next';
import { useProjector } from '../facilitation/context.js';
import { SetupButton } from '../facilitator/SetupButton.js';
import { VersionsButton } from '../versions/VersionsButton.js';
import { PlanMenu } from '../plan/PlanMenu.js';
import { LANGUAGES } from '../i18n/index.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { canEditActivities, useSessionState } from './context.js';
import { PresenceList } from './PresenceList.js';
import { UndoButtons } from './UndoButtons.js';

/**
 * The board's header, which stays in view: the title and role, this device's connection and saved
 * state, undo, who is online, the tools (set-up, versions, the plan menu, the language) and the
 * projector view switch, which stays on the wall too (the way back).
 */
export function Header({ title, onChangeIdentity, onToggleProjector }: { title: string; onChangeIdentity: () => void; onToggleProjector: () => void }) {
  const { t, i18n } = useTranslation();
  const state = useSessionState();
  const { projector } = useProjector();

  return (
    <header className="topbar">
      <h1 className="topbar__title">{title || t('app.name')}</h1>
      {state.role && <span className="role-badge">{t(`role.${state.role}`)}</span>}
      <ConnectionStatus />
      {canEditActivities(state) && <UndoButtons />}
      <PresenceList onChangeIdentity={onChangeIdentity} />
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
      <button type="button" className="tool-button topbar__projector" aria-pressed={projector} onClick={onToggleProjector}>
        {t('projector.toggle')}
      </button>
    </header>
  );
}

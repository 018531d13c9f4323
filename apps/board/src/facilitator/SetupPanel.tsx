/**
 * "Postavke table": the facilitator's panel (board title, locks, lanes, municipalities,
 * the room kit, links). Loaded lazily (SetupButton): coordinators never download it. Every change is
 * one plan-model operation, one transaction; the server lets only the facilitator make them.
 */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardView, LIMITS, setBoardLocked, setBoardTitle } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import { PanelDialog } from '../ui/PanelDialog.js';
import { TextField } from '../ui/TextField.js';
import { BackupSettings, FinaliseSettings } from './FinaliseSettings.js';
import { LaneSettings } from './LaneSettings.js';
import { SinceMeeting } from './SinceMeeting.js';
import { LinkSettings } from './LinkSettings.js';
import { RoomKit } from './RoomKit.js';
import { TemplateSettings } from './TemplateSettings.js';
import { MunicipalitySettings } from './MunicipalitySettings.js';
import type { Announce } from './announce.js';
import { checkBoardTitle } from './validation.js';

export interface SetupPanelProps {
  readonly onClose: () => void;
}

export default function SetupPanel({ onClose }: SetupPanelProps) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const id = useId();
  const [notice, setNotice] = useState('');


  return (
    <PanelDialog className={"dialog setup"} titleId={`${id}-title`} title={t('setup.heading')} closeLabel={t('setup.close')} onClose={onClose}>
      <p className="setup__notice" role="status">
        {notice}
      </p>
      <BoardSettings board={board} announce={setNotice} />
      <LockSettings board={board} announce={setNotice} />
      <FinaliseSettings board={board} announce={setNotice} onClose={onClose} />
      <SinceMeeting board={board} />
      <LaneSettings board={board} announce={setNotice} />
      <MunicipalitySettings board={board} announce={setNotice} />
      <RoomKit />
      <LinkSettings />
      <TemplateSettings board={board} />
      <BackupSettings />
    </PanelDialog>
  );
}

function BoardSettings({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  // null: not being edited, the field follows the document (someone may change it meanwhile).
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const value = draft ?? board.meta.title;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = checkBoardTitle(value);
    if (problem) return setError(problem === 'required' ? t('setup.titleRequired') : t('setup.tooLong', { max: LIMITS.title }));
    setError(null);
    const title = value.trim();
    if (title !== board.meta.title) setBoardTitle(session.doc, title);
    setDraft(null);
    announce(t('setup.titleSaved'));
  };

  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('setup.boardSection')}</h3>
      <form className="setup__row" onSubmit={submit} noValidate>
        <TextField label={t('setup.boardTitle')} name="boardTitle" value={value} max={LIMITS.title} error={error} onChange={setDraft} className="setup__field" />
        <button type="submit" className="setup__save">
          {t('setup.save')}
        </button>
      </form>
    </section>
  );
}

function LockSettings({ board, announce }: { board: BoardView; announce: Announce }) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const locked = board.meta.locked;
  const toggle = () => {
    setBoardLocked(session.doc, !locked);
    announce(locked ? t('setup.boardUnlockedNow') : t('setup.boardLockedNow'));
  };
  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('setup.lockSection')}</h3>
      <p className="setup__state">{locked ? t('setup.boardLocked') : t('setup.boardUnlocked')}</p>
      <button type="button" className={locked ? 'setup__toggle setup__toggle--on' : 'setup__toggle'} onClick={toggle}>
        {locked ? t('setup.unlockBoard') : t('setup.lockBoard')}
      </button>
      <p className="setup__hint">{t('setup.lockHint')}</p>
    </section>
  );
}

import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import type { ContainerId } from '../dnd/ids.js';
import { BoardSession } from '../session/board-session.js';
import { type Identity, loadIdentity, saveIdentity } from '../session/identity.js';
import { type BoardLink, parseBoardLink } from '../session/link.js';
import { ActivityDialog, type DialogTarget } from './ActivityDialog.js';
import { Board } from './Board.js';
import { SessionContext } from './context.js';
import { Header } from './Header.js';
import { JoinDialog } from './JoinDialog.js';

export function App() {
  const { t } = useTranslation();
  const [link] = useState(() => parseBoardLink(window.location));
  if (!link) {
    return (
      <main className="notice">
        <h1>{t('app.name')}</h1>
        <p>{t('app.noBoard')}</p>
      </main>
    );
  }
  return <BoardScreen link={link} />;
}

function BoardScreen({ link }: { link: BoardLink }) {
  const [session, setSession] = useState<BoardSession | null>(null);
  useEffect(() => {
    const s = new BoardSession(link);
    setSession(s);
    return () => s.destroy();
  }, [link]);
  if (!session) return null;
  return (
    <SessionContext.Provider value={session}>
      <BoardPage session={session} />
    </SessionContext.Provider>
  );
}

function BoardPage({ session }: { session: BoardSession }) {
  const { t } = useTranslation();
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const board = useBoard(session.doc);
  const [identity, setIdentity] = useState<Identity | null>(() => loadIdentity(session.link.boardId));
  const [askIdentity, setAskIdentity] = useState(false);
  const [dialog, setDialog] = useState<DialogTarget | null>(null);

  useEffect(() => {
    if (!identity) return;
    const color = (identity.municipalityId && board.municipalityById.get(identity.municipalityId as never)?.color) || '#5b6770';
    session.announce(identity, color);
  }, [identity, board.municipalityById, session, state.role]);

  const onAdd = useCallback((containerId: ContainerId) => setDialog({ mode: 'add', containerId }), []);
  const onEdit = useCallback((activity: Activity) => setDialog({ mode: 'edit', activity }), []);

  if (state.connection === 'refused') {
    return (
      <main className="notice" role="alert">
        <h1>{t('app.error')}</h1>
        <p>{t('app.badLink')}</p>
      </main>
    );
  }

  const needsIdentity = (!identity || askIdentity) && state.synced && state.connection !== 'rejected';
  return (
    <>
      <Header title={board.meta.title} onChangeIdentity={() => setAskIdentity(true)} />
      {state.connection === 'rejected' && (
        <p className="banner banner--error" role="alert">
          {t('app.rejected')}
        </p>
      )}
      <main className="board-main" aria-busy={!state.synced}>
        {state.synced ? <Board onAdd={onAdd} onEdit={onEdit} /> : <p className="loading">{t('app.loading')}</p>}
      </main>
      {needsIdentity && (
        <JoinDialog
          municipalities={board.municipalities}
          initial={identity}
          onJoin={(next) => {
            saveIdentity(session.link.boardId, next);
            setIdentity(next);
            setAskIdentity(false);
          }}
        />
      )}
      {dialog && !needsIdentity && <ActivityDialog target={dialog} board={board} onClose={() => setDialog(null)} />}
    </>
  );
}

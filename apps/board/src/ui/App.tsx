import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity, MunicipalityId } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import type { ContainerId } from '../dnd/ids.js';
import { type ActivityFilter, EMPTY_FILTER, matchingIds } from '../filters/match.js';
import { FacilitationBar } from '../facilitation/FacilitationBar.js';
import { useProjectorMode } from '../facilitation/projector.js';
import { ProjectorScreen } from '../facilitation/ProjectorScreen.js';
import { afterBoardShown } from '../session/after-board-shown.js';
import { BoardSession } from '../session/board-session.js';
import { type Identity, loadIdentity, saveIdentity } from '../session/identity.js';
import { type BoardLink, parseBoardLink } from '../session/link.js';
import { ActivityDialog, type DialogTarget } from './ActivityDialog.js';
import { Board } from './Board.js';
import { SessionContext } from './context.js';
import { FilterBar } from './FilterBar.js';
import { Header } from './Header.js';
import { HeldBackNotice } from './HeldBackNotice.js';
import { JoinDialog } from './JoinDialog.js';
import { LinkProblem } from './LinkProblem.js';
import { NoticesProvider } from './Notices.js';

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
    let current = new BoardSession(link);
    let closed = false;
    let unsubscribe = () => {};
    // After a refused change (its work kept aside), a new session goes on from the server's state.
    const follow = (s: BoardSession) => {
      current = s;
      setSession(s);
      unsubscribe = s.subscribe(() => {
        if (s.getState().connection !== 'rejected') return;
        unsubscribe();
        void s.reopen().then((next) => (closed ? next.destroy() : follow(next)));
      });
    };
    follow(current);
    return () => {
      closed = true;
      unsubscribe();
      current.destroy();
    };
  }, [link]);
  if (!session) return null;
  return (
    <SessionContext.Provider value={session}>
      <NoticesProvider>
        <BoardPage session={session} />
      </NoticesProvider>
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
  // Each person's own filter: React state, never the shared document.
  const [filter, setFilter] = useState<ActivityFilter>(EMPTY_FILTER);
  // Projector view: on by itself for the viewer link; large type, no editing chrome, follows the facilitator.
  const [projectorState, toggleProjector] = useProjectorMode(state.role, board.municipalities);
  const { projector } = projectorState;
  const matching = useMemo(() => matchingIds(board.activityById.values(), filter), [board.activityById, filter]);
  // A link bound to a municipality speaks for it; otherwise the municipality this person picked.
  const chosenMunicipalityId = state.municipalityId ?? identity?.municipalityId ?? null;
  const ownMunicipalityId =
    chosenMunicipalityId && board.municipalityById.has(chosenMunicipalityId as MunicipalityId) ? (chosenMunicipalityId as MunicipalityId) : null;

  // The read-only link in projector view is the room's projector: it asks nobody's name, and is listed as a projector, not a person.
  const wall = projector && state.role === 'viewer';
  useEffect(() => {
    if (wall) {
      session.announceProjector();
    } else if (!identity) {
      session.withdraw();
    } else {
      const municipalityId = state.municipalityId ?? identity.municipalityId;
      const color = (municipalityId && board.municipalityById.get(municipalityId as never)?.color) || '#5b6770';
      session.announce(identity, color);
    }
  }, [wall, identity, board.municipalityById, session, state.role, state.municipalityId]);

  const onAdd = useCallback((containerId: ContainerId) => setDialog({ mode: 'add', containerId }), []);
  const onEdit = useCallback((activity: Activity) => setDialog({ mode: 'edit', activity }), []);

  // The board shows as soon as there is a copy of it: from the server, or kept on this device.
  const hasBoard = state.synced || state.localReady;
  useEffect(() => {
    if (hasBoard) afterBoardShown();
  }, [hasBoard]);

  if (state.connection === 'refused') return <LinkProblem refusal={state.refusal} pending={state.pending} />;

  // Asked once the link's role is known (a projector is not asked at all).
  const needsIdentity = (!identity || askIdentity) && !wall && state.role !== null && hasBoard && state.connection !== 'rejected';
  return (
    <ProjectorScreen state={projectorState}>
      {/* What must stay in view while the board scrolls: the header (connection, undo) and the session (timer, following). */}
      <div className="chrome">
        <Header title={board.meta.title} onChangeIdentity={() => setAskIdentity(true)} onToggleProjector={toggleProjector} />
        {state.connection === 'rejected' && (
          <p className="banner banner--error" role="alert">
            {t('app.rejected')}
          </p>
        )}
        {hasBoard && <FacilitationBar projector={projector} />}
      </div>
      <HeldBackNotice works={state.heldBack} boardId={session.link.boardId} onDismiss={(id) => session.dismissHeldBack(id)} />
      {hasBoard && !projector && (
        <FilterBar
          filter={filter}
          onChange={setFilter}
          municipalities={board.municipalities}
          ownMunicipalityId={ownMunicipalityId}
          found={matching?.size ?? board.activityById.size}
          total={board.activityById.size}
        />
      )}
      <main className="board-main" aria-busy={!hasBoard}>
        {hasBoard ? (
          <Board
            onAdd={onAdd}
            onEdit={onEdit}
            matching={projector ? null : matching}
            onlyMatches={filter.onlyMatches && !projector}
            ownMunicipalityId={ownMunicipalityId}
            projector={projector}
          />
        ) : (
          <p className="loading">{t('app.loading')}</p>
        )}
      </main>
      {needsIdentity && (
        <JoinDialog
          municipalities={board.municipalities}
          boundMunicipalityId={state.municipalityId}
          initial={identity}
          onJoin={(next) => {
            saveIdentity(session.link.boardId, next);
            setIdentity(next);
            setAskIdentity(false);
          }}
        />
      )}
      {dialog && !needsIdentity && <ActivityDialog target={dialog} board={board} onClose={() => setDialog(null)} />}
    </ProjectorScreen>
  );
}

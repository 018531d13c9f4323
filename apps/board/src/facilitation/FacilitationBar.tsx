/**
 * Facilitator tools under the header, and what everyone sees of them: the shared timer and its
 * end, what is spotlit, following the facilitator ("Bring everyone here" / "Stop following"),
 * the projector view switch and what every projector shows. In projector mode, the legend and the
 * join code too. The dot vote (../voting): the facilitator's controls, a coordinator's dots left,
 * the revealed results.
 */
import { type ComponentType, lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardView, setSpotlight, summonEveryone } from '@tabla/plan-model';
import { useAwarenessStates, useBoard } from '@tabla/plan-react';
import { useSession, useSessionState } from '../ui/context.js';
import { permissionsOf } from '../ui/permissions.js';
import { serverNow } from './clock.js';
import { setFocus, useFocusReporter, useFollowMark, useSpotlightScroll, useSteppedAway } from './focus.js';
import { facilitatorFocus, type FocusTarget, followReason, newNonce, type ViewPresence } from './follow.js';
import { useRemainingSeconds, useServerClock } from './hooks.js';
import { TimerControls, TimerDisplay, TimerEnded } from './TimerView.js';
import { WallViewToggle } from './WallViewToggle.js';
import { VoteResults } from '../voting/VoteResults.js';
import { VoteToolbar } from '../voting/VoteToolbar.js';

/** A lazy chunk (with the QR encoder); offline before it was ever loaded, the board shows without it. */
const ProjectorPanel = lazy((): Promise<{ default: ComponentType }> => import('./ProjectorPanel.js').catch(() => ({ default: () => null })));

/** The title of a lane (or the pool) or an activity on the board; null when it is not there. */
function targetTitle(board: BoardView, target: FocusTarget | null | undefined, unplaced: string): string | null {
  if (!target) return null;
  if (target.kind === 'activity') return board.activityById.get(target.id as never)?.title ?? null;
  if (target.id === 'pool') return unplaced;
  return board.lanes.find((l) => l.lane.id === target.id)?.lane.title ?? null;
}

export function FacilitationBar({ projector }: { projector: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const { role, municipalityId } = useSessionState();
  // The facilitator's tools (timer, spotlight, summon), where the write policy lets this link manage the board.
  const facilitator = permissionsOf({ role, municipalityId }, board).canManageBoard;
  const states = useAwarenessStates(session.awareness);
  const { spotlight, timer, summon } = board.facilitation;
  const unplaced = t('board.unplaced');
  useServerClock();
  const seconds = useRemainingSeconds(timer);

  // The facilitator's own focus, which the projector and summoned coordinators follow.
  useFocusReporter(session.awareness, facilitator);
  const ownFocus = (states.get(session.awareness.clientID)?.view as ViewPresence | undefined)?.focus ?? null;
  const ownFocusTitle = targetTitle(board, ownFocus, unplaced);

  // Following the facilitator (projector: always; others: after a summon, until they step away).
  const [steppedAway, stepAway] = useSteppedAway(session.link.boardId);
  const reason = followReason({ role, projector, summon, steppedAwayFrom: steppedAway, serverNow: serverNow() });
  const leader = reason ? facilitatorFocus(states, session.awareness.clientID) : null;
  const followTitle = targetTitle(board, leader?.focus, unplaced);
  const followed = leader && followTitle !== null ? leader.focus : null;
  useFollowMark(followed, t('follow.marker'), board);

  const spotlitTitle = targetTitle(board, spotlight, unplaced);
  useSpotlightScroll(spotlitTitle !== null ? spotlight : null, !facilitator);

  const ended = timer !== null && seconds === 0;
  return (
    <>
      <section className="facilitation" aria-label={t('projector.toolbar')}>
        {timer && seconds !== null && <TimerDisplay timer={timer} seconds={seconds} />}
        {facilitator && !projector && <TimerControls timer={timer} seconds={seconds} />}
        {spotlight && spotlitTitle !== null && (
          <p className="facilitation__spotlight">
            <span>{t('spotlight.current', { title: spotlitTitle })}</span>
            {facilitator && !projector && (
              <button type="button" onClick={() => setSpotlight(session.doc, null)}>
                {t('spotlight.clear')}
              </button>
            )}
          </p>
        )}
        {facilitator && !projector && (
          <div className="facilitation__follow" role="group" aria-label={t('follow.controls')}>
            <p className="facilitation__focus">{ownFocusTitle !== null ? t('follow.focus', { title: ownFocusTitle }) : t('follow.noFocus')}</p>
            {ownFocusTitle !== null && (
              <button type="button" onClick={() => setFocus(session.awareness, null)}>
                {t('follow.clearFocus')}
              </button>
            )}
            <button type="button" onClick={() => summonEveryone(session.doc, newNonce(), serverNow())}>
              {t('follow.summon')}
            </button>
          </div>
        )}
        {reason === 'summon' && summon && followTitle !== null && (
          <p className="follow-banner" role="status">
            <span>{t('follow.following', { title: followTitle })}</span>
            <button type="button" onClick={() => stepAway(summon.nonce)}>
              {t('follow.stop')}
            </button>
          </p>
        )}
        <VoteToolbar board={board} projector={projector} focus={ownFocus} />
        {/* What every projector shows (the board or the matrix): the facilitator's choice, from here too. */}
        {facilitator && !projector && <WallViewToggle className="facilitation__wall-view" />}
      </section>
      {ended && <TimerEnded />}
      <VoteResults board={board} projector={projector} />
      {projector && (
        <Suspense fallback={null}>
          <ProjectorPanel />
        </Suspense>
      )}
    </>
  );
}

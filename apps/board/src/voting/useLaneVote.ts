import { useCallback, useMemo } from 'react';
import { type Activity, type BoardView, currentVote, giveDot, PlanError, readBoard, readVotes, roots } from '@tabla/plan-model';
import { useSession, useSessionState } from '../ui/context.js';
import { dotMessagesOf } from './status.js';
import { dotFailure, type LaneVote, type LaneVoteData, laneVoteData, voterStatus } from './vote-view.js';

/**
 * The current vote as the board's cards show it (undefined: nothing to show), with the voter's
 * "+"/"−" handler. Stable while what the cards show does not change: another municipality's dot
 * (hidden while open) re-renders no lane.
 */
export function useLaneVote(board: BoardView, projector: boolean): LaneVote | undefined {
  const session = useSession();
  const { role, municipalityId } = useSessionState();
  const vote = currentVote(board.votes);
  const status = voterStatus({ role, municipalityId }, board, projector);
  const voter = status.kind === 'voter' ? status.municipalityId : null;
  const voteId = vote?.id ?? null;

  const onDot = useCallback(
    (activity: Activity, delta: 1 | -1) => {
      if (voteId === null || voter === null) return;
      const messages = dotMessagesOf(session.doc);
      try {
        // Only the municipality the link is bound to: anything else the server refuses.
        giveDot(session.doc, voteId, voter, activity.id, delta);
        messages.set(null);
      } catch (e) {
        if (!(e instanceof PlanError)) throw e;
        // The board changed under the click (a colleague's last dot, the reveal): say so, nothing sent.
        const now = readVotes(roots(session.doc).votes).find((v) => v.id === voteId) ?? null;
        messages.set({ voteId, failure: dotFailure(now, voter, delta, readBoard(session.doc).activityById) });
      }
    },
    [session.doc, voteId, voter],
  );

  const key = JSON.stringify(laneVoteData(vote, voter, board.activityById));
  return useMemo(() => {
    const data = JSON.parse(key) as LaneVoteData | null;
    if (!data) return undefined;
    return data.mode === 'own' ? { ...data, onDot } : data;
  }, [key, onDot]);
}

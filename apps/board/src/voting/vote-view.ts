/**
 * Dot voting as the board shows it: pure helpers (no React). Who votes on this screen, what each
 * card shows, the facilitator's defaults, the ranked results. The document model is
 * `@tabla/plan-model` (votes.ts); hiding other municipalities' dots until the reveal is a promise
 * of this UI, kept here: while a vote is open a screen only ever gets its own municipality's ballot.
 */
import {
  type Activity,
  type BoardView,
  dotsLeft,
  type LaneId,
  LIMITS,
  type MunicipalityId,
  municipalitiesVoted,
  permissionsFor,
  type PolicyBoard,
  type Role,
  type Vote,
  type VoteResult,
  type VoteActivities,
} from '@tabla/plan-model';

export const DEFAULT_DOTS = 3;
export const MIN_DOTS = 1;
export const MAX_DOTS = LIMITS.dotsPerMunicipality;

/** Dots per municipality as the facilitator typed them: a whole number 1–20, else null. */
export function parseDots(text: string): number | null {
  const s = text.trim();
  if (!/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n >= MIN_DOTS && n <= MAX_DOTS ? n : null;
}

interface Target {
  readonly kind: 'lane' | 'activity';
  readonly id: string;
}

/**
 * The lane a new vote is about unless the facilitator picks another: the spotlit lane (or the
 * spotlit card's lane), else the lane the facilitator is on (their focus), else the whole board (null).
 */
export function defaultVoteScope(board: BoardView, focus: Target | null | undefined): LaneId | null {
  const laneOf = (target: Target | null | undefined): LaneId | null => {
    if (!target) return null;
    const laneId = target.kind === 'lane' ? target.id : (board.activityById.get(target.id as never)?.laneId ?? null);
    return board.lanes.find((l) => l.lane.id === laneId)?.lane.id ?? null;
  };
  return laneOf(board.facilitation.spotlight) ?? laneOf(focus);
}

/**
 * Who may give dots on this screen: a coordinator whose link the server bound to a municipality
 * of this board (the write policy's `votesFor`), not in projector view. Anything else the server
 * refuses (and drops the connection), so the board never tries it.
 */
export type VoterStatus =
  | { readonly kind: 'voter'; readonly municipalityId: MunicipalityId }
  /** A coordinator with a general link (or one bound to a municipality no longer on the board). */
  | { readonly kind: 'unbound' }
  /** Facilitator, viewer, projector view: watches. */
  | { readonly kind: 'watcher' };

export function voterStatus(
  session: { readonly role: Role | null; readonly municipalityId: string | null },
  board: PolicyBoard & Pick<BoardView, 'municipalityById'>,
  projector: boolean,
): VoterStatus {
  const can = permissionsFor(session.role ? { role: session.role, municipalityId: session.municipalityId ?? null } : null, board);
  // A coordinator's link: it changes activities and does not run the board (the facilitator runs votes, a viewer watches).
  const coordinator = can.canChangeActivities && !can.canManageBoard;
  if (!coordinator || projector) return { kind: 'watcher' };
  const id = can.votesFor;
  return id !== null && board.municipalityById.has(id) ? { kind: 'voter', municipalityId: id } : { kind: 'unbound' };
}

/** "X of Y municipalities voted": those of the board with at least one dot that counts. */
export function voteProgress(vote: Vote, board: Pick<BoardView, 'municipalities' | 'activityById'>): { voted: number; total: number } {
  const voted = new Set(municipalitiesVoted(vote, board.activityById));
  return { voted: board.municipalities.filter((m) => voted.has(m.id)).length, total: board.municipalities.length };
}

export interface RankedResult extends VoteResult {
  /** 1-based; equal dots and equal backing share a rank (1, 2, 2, 4). */
  readonly rank: number;
}

/** The frozen results (already sorted) with their ranks. */
export function rankResults(results: readonly VoteResult[]): RankedResult[] {
  const ranked: RankedResult[] = [];
  results.forEach((r, i) => {
    const prev = ranked[i - 1];
    const tie = prev !== undefined && prev.dots === r.dots && prev.municipalities === r.municipalities;
    ranked.push({ ...r, rank: tie ? prev.rank : i + 1 });
  });
  return ranked;
}

/** The lane's title (archived lanes too); null for the whole board; undefined when the lane is gone. */
export function scopeTitle(board: Pick<BoardView, 'lanes' | 'archivedLanes'>, laneId: LaneId | null): string | null | undefined {
  if (laneId === null) return null;
  return (board.lanes.find((l) => l.lane.id === laneId) ?? board.archivedLanes.find((l) => l.lane.id === laneId))?.lane.title;
}

/** One more or one less of the voter's dots on a card. */
export type DotHandler = (activity: Activity, delta: 1 | -1) => void;

/**
 * What the cards of a lane show of the current vote. 'own': the voter's own dots while the vote
 * is open (nobody else's); 'total': everyone's, once revealed. Shared by every lane in scope and
 * kept stable between renders, so cards (memoised) re-render only when their own numbers change.
 */
export interface LaneVoteData {
  /** The vote's scope (null: every placed activity); cards check `inVoteScope` against it. */
  readonly laneId: LaneId | null;
  readonly mode: 'own' | 'total';
  /** Activity id -> dots (absent: none). */
  readonly dots: Readonly<Record<string, number>>;
  /** 'own': the voter has a dot left. */
  readonly canAdd: boolean;
}

export interface LaneVote extends LaneVoteData {
  /** 'own' only. */
  readonly onDot?: DotHandler | undefined;
}

/** The cards' view of the vote for this screen; null when cards show nothing. */
export function laneVoteData(vote: Vote | null, voter: MunicipalityId | null, activities: VoteActivities): LaneVoteData | null {
  if (!vote) return null;
  if (vote.state === 'open') {
    if (voter === null) return null; // others' dots stay hidden until the reveal
    return { laneId: vote.laneId, mode: 'own', dots: { ...vote.ballots[voter] }, canAdd: dotsLeft(vote, voter, activities) > 0 };
  }
  if (vote.state === 'revealed') {
    const dots: Record<string, number> = {};
    for (const r of vote.results ?? []) dots[r.activityId] = r.dots;
    return { laneId: vote.laneId, mode: 'total', dots, canAdd: false };
  }
  return null;
}

/** Why a dot was not given (the board changed under the click: a colleague's dot, the reveal). */
export type DotFailure = 'noDotsLeft' | 'notOpen' | 'notInVote';

export function dotFailure(vote: Vote | null, voter: MunicipalityId, delta: 1 | -1, activities: VoteActivities): DotFailure {
  if (!vote || vote.state !== 'open') return 'notOpen';
  if (delta > 0 && dotsLeft(vote, voter, activities) === 0) return 'noDotsLeft';
  return 'notInVote';
}

/** Closed votes, newest first, for the history. */
export const pastVotes = (votes: readonly Vote[]): Vote[] => votes.filter((v) => v.state === 'closed').reverse();

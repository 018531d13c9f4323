/**
 * Facilitation: locks, spotlight, the shared timer and "bring everyone here". Pure
 * operations on the document (one transaction each, tagged origin); the server enforces
 * who may do them (the `facilitation`, `lanes` and `meta` roots are the facilitator's).
 */
import type * as Y from 'yjs';
import type { LaneId } from './ids.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { editLane } from './operations.js';
import { isFollowThrough } from './progress.js';
import {
  type EntryMap,
  readActivityLaneId,
  readBoardLocked,
  readLaneLocked,
  roots,
  type Spotlight,
  type TimerState,
  type WallLink,
  type WallView,
  writeFacilitation,
  writeMeta,
} from './schema.js';

export function setBoardLocked(doc: Y.Doc, locked: boolean, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeMeta(roots(doc).meta, { locked }), origin);
}

export function setLaneLocked(doc: Y.Doc, id: LaneId, locked: boolean, origin: PlanOrigin = localOrigin): void {
  editLane(doc, id, { locked }, origin);
}

/** Archive (or bring back) a lane: hidden from the board with its activities, nothing deleted. */
export function setLaneArchived(doc: Y.Doc, id: LaneId, archived: boolean, origin: PlanOrigin = localOrigin): void {
  editLane(doc, id, { archived }, origin);
}

export function setSpotlight(doc: Y.Doc, spotlight: Spotlight | null, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeFacilitation(roots(doc).facilitation, { spotlight }), origin);
}

/** "Bring everyone here": every coordinator follows the facilitator until they step away. */
export function summonEveryone(doc: Y.Doc, nonce: string, serverNow: number, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeFacilitation(roots(doc).facilitation, { summon: { nonce, at: Math.round(serverNow) } }), origin);
}

/** The link the projector's QR code carries (null: none, the projector shows the address alone). */
export function setWallLink(doc: Y.Doc, wallLink: WallLink | null, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeFacilitation(roots(doc).facilitation, { wallLink }), origin);
}

/** What every projector shows: the board (null) or the commitments matrix. */
export function setWallView(doc: Y.Doc, wallView: WallView | null, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeFacilitation(roots(doc).facilitation, { wallView }), origin);
}

// ---------------------------------------------------------------------------
// Timer: pure transitions over TimerState, with the server's clock passed in.

export const MINUTE_MS = 60_000;
/** The longest time a timer may be set to (the schema's bound on `durationMs`). */
export const TIMER_MAX_MS = 24 * 60 * MINUTE_MS;

/** Milliseconds left at `serverNow` (never negative). */
export function timerRemaining(timer: TimerState, serverNow: number): number {
  return Math.max(0, timer.endsAt === null ? timer.remainingMs : timer.endsAt - serverNow);
}

export const timerRunning = (timer: TimerState): boolean => timer.endsAt !== null;

/**
 * What the timer is doing, as everyone reads it: not started since it was set or reset
 * (`ready`), `running`, `paused`, or `ended` (no time left). Stopped at exactly its duration
 * is `ready`; the transitions below never stop a timer that has run at exactly its duration.
 */
export type TimerPhase = 'ready' | 'running' | 'paused' | 'ended';

export const timerPhase = (timer: TimerState, serverNow: number): TimerPhase => timerPhaseWith(timer, timerRemaining(timer, serverNow));

/** The same, from the time left as already computed (a display that rounds it decides the end). */
export function timerPhaseWith(timer: TimerState, remainingMs: number): TimerPhase {
  if (remainingMs <= 0) return 'ended';
  if (timer.endsAt !== null) return 'running';
  return timer.remainingMs === timer.durationMs ? 'ready' : 'paused';
}

/**
 * A timer that has run, stopped with exactly its duration left (paused the instant it started,
 * or paused and given the minute it had used), would read as not started: it keeps one
 * millisecond less, which no display shows (seconds are rounded up).
 */
const stoppedAfterRunning = (t: TimerState, remainingMs: number): TimerState => ({
  ...t,
  endsAt: null,
  remainingMs: remainingMs === t.durationMs ? remainingMs - 1 : remainingMs,
});

export const timerTransitions = {
  set: (durationMs: number): TimerState => ({ durationMs, endsAt: null, remainingMs: durationMs }),
  start: (t: TimerState, now: number): TimerState => (t.endsAt !== null ? t : { ...t, endsAt: Math.round(now + t.remainingMs) }),
  pause: (t: TimerState, now: number): TimerState => (t.endsAt === null ? t : stoppedAfterRunning(t, Math.round(timerRemaining(t, now)))),
  /**
   * Not started: the minute goes to the time set (it is still being set up, and a reset keeps it).
   * Paused: to the time left, and it stays paused. Running: to the end. At most the longest timer
   * the document accepts (a day set, two days left): past that the minute is not added.
   */
  addMinute: (t: TimerState, now: number): TimerState => {
    if (t.endsAt !== null) {
      const endsAt = Math.max(t.endsAt, Math.round(now)) + MINUTE_MS;
      return endsAt - now > 2 * TIMER_MAX_MS ? t : { ...t, endsAt };
    }
    if (t.remainingMs === t.durationMs) return t.durationMs + MINUTE_MS > TIMER_MAX_MS ? t : timerTransitions.set(t.durationMs + MINUTE_MS);
    return t.remainingMs + MINUTE_MS > 2 * TIMER_MAX_MS ? t : stoppedAfterRunning(t, t.remainingMs + MINUTE_MS);
  },
  reset: (t: TimerState): TimerState => ({ durationMs: t.durationMs, endsAt: null, remainingMs: t.durationMs }),
};

export function setTimer(doc: Y.Doc, timer: TimerState | null, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeFacilitation(roots(doc).facilitation, { timer }), origin);
}

// ---------------------------------------------------------------------------
// Locks, as the server checks them.

/**
 * Why a coordinator's change to these activities is not allowed (empty = allowed): the
 * board is locked, or an activity was, or would end up, in a locked lane. `before` is the
 * accepted document, `after` the same with the change applied.
 */
export function lockViolations(before: Y.Doc, after: Y.Doc, activityIds: Iterable<string>): string[] {
  const a = roots(after);
  const b = roots(before);
  // A lock holds the plan, not its follow-through: a progress note (with its status) goes on [PM30].
  const held: { was: EntryMap | undefined; now: EntryMap | undefined; id: string }[] = [];
  for (const id of activityIds) {
    const was = b.activities.get(id);
    const now = a.activities.get(id);
    if (!isFollowThrough(was, now, id)) held.push({ was, now, id });
  }
  if (held.length === 0) return []; // a lock holds activities only: dots, presence and the rest go on
  if (readBoardLocked(a.meta)) return ['the board is locked'];
  const lockedLane = (laneId: string | null) => {
    const lane = laneId === null ? undefined : a.lanes.get(laneId);
    return lane !== undefined && readLaneLocked(lane);
  };
  const problems: string[] = [];
  for (const { was, now, id } of held) {
    const fromLane = was ? readActivityLaneId(was) : null;
    const toLane = now ? readActivityLaneId(now) : null;
    if (lockedLane(fromLane) || lockedLane(toLane)) problems.push(`activity ${id} is in a locked lane`);
  }
  return problems;
}

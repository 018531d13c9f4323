/**
 * The write policy [PM24]: who may change what, in one ordered place. `judgeChange` is the
 * judge of one change (the server's update gate and the undo pre-flight ask it);
 * `permissionsFor` derives the board's affordances (which buttons a person gets) from the
 * same rules, so what the board offers and what the server accepts cannot drift apart.
 *
 * The rules themselves live beside their data: roles (roles.ts, PM13), locks (facilitation.ts,
 * PM18), attribution to municipalities (attribution.ts, PM23), votes and the ballot's size
 * bound (votes.ts, PM22). This file only orders them, and restates none of them by hand
 * except as the affordances below, which policy.test.ts checks against the judge.
 */
import type * as Y from 'yjs';
import { attributionViolations, managesPartners } from './attribution.js';
import type { BoardView } from './board-view.js';
import { lockViolations } from './facilitation.js';
import { mayReportOn } from './progress.js';
import type { MunicipalityId } from './ids.js';
import { type Access, canWriteRoot, type Role } from './roles.js';
import { ROOTS } from './schema.js';
import type { ChangeReport } from './validate.js';
import { voteViolations } from './votes.js';

/**
 * Which rule refused a change. The server closes the sender's connection with "invalid update"
 * (4422) for `schema` and with "forbidden" (4403) for the others.
 */
export type PolicyRule = 'schema' | 'role' | 'lock' | 'attribution' | 'vote';

export type Judgement = { readonly ok: true } | { readonly ok: false; readonly rule: PolicyRule; readonly reason: string };

const ACCEPTED: Judgement = Object.freeze({ ok: true });
const refused = (rule: PolicyRule, reason: string): Judgement => ({ ok: false, rule, reason });

/**
 * Whether locks, attribution and votes hold for this role. The facilitator may change everything
 * (locks are theirs to set, votes theirs to run); a coordinator is held by all three; a viewer
 * never gets that far (roles refuse every root).
 */
export const heldByRules = (role: Role): boolean => role !== 'facilitator';

/**
 * The verdict on one change: `before` is the accepted document, `after` the same with the change
 * applied, `change` what `inspectTransaction` reported of it, `access` what the sender's link grants.
 *
 * One order, and why:
 * 1. schema (`change.problems`, PM6): a malformed change is refused whoever sent it, and the
 *    checks below read `after` through tolerant readers that trust validated values;
 * 2. roles, per root touched (`canWriteRoot`, PM13): the rules below look only at activities and
 *    votes, so a coordinator's write to lanes, meta or facilitation is stopped here;
 * 3. for everyone but the facilitator: locks (PM18) first, as a lock refuses every change to the
 *    activities it holds, whoever's they are; then attribution (PM23), then votes and the ballot's
 *    size (PM22). The first refusal is the one reported.
 * (The document's size in bytes is a storage budget, not a write rule: the server's gate keeps it.)
 */
export function judgeChange(before: Y.Doc, after: Y.Doc, change: ChangeReport, access: Access): Judgement {
  const [problem] = change.problems;
  if (problem !== undefined) return refused('schema', problem);
  for (const root of change.roots) {
    if (!canWriteRoot(access.role, root)) return refused('role', `${access.role} cannot change ${root}`);
  }
  if (!heldByRules(access.role)) return ACCEPTED;
  const [lock] = lockViolations(before, after, change.activities);
  if (lock !== undefined) return refused('lock', lock);
  const [attribution] = attributionViolations(before, after, change.activities, access.municipalityId);
  if (attribution !== undefined) return refused('attribution', attribution);
  const [vote] = voteViolations(before, after, change.votes, access.municipalityId);
  if (vote !== undefined) return refused('vote', vote);
  return ACCEPTED;
}

/** What `permissionsFor` reads of a board (a `BoardView` will do). */
export type PolicyBoard = Pick<BoardView, 'meta' | 'lanes' | 'archivedLanes' | 'activityById' | 'votes'>;

/**
 * What a link may do on a board as it is now: the affordances of the board's controls, derived
 * from the rules `judgeChange` applies. Each one answers for the operation that does it
 * (`addActivity`, `editActivity`, `moveActivity`, `deleteActivity`, `setActivityPartner`, `giveDot`…):
 * allowed means the server accepts that operation, not allowed means it refuses it (or the
 * operation itself refuses, as `giveDot` does once a vote is revealed). Ids are plain strings
 * (a lane id or null for the pool), as the board's containers hold them.
 */
export interface Permissions {
  readonly access: Access | null;
  /** Lanes, municipalities, board settings, locks, facilitation and running votes: everything (the facilitator). */
  readonly canManageBoard: boolean;
  /** Whether this link changes activities at all (locks come on top, per lane). */
  readonly canChangeActivities: boolean;
  /**
   * The municipality whose dots this link gives: a coordinator's link bound to one. None for a
   * link bound to none, for a viewer, and for the facilitator (who runs votes and has no ballot).
   */
  readonly votesFor: MunicipalityId | null;
  /** A lock (the board's, or the lane's; null = the pool) holds this link there: everyone but the facilitator. */
  lockedIn(laneId: string | null): boolean;
  /** Add an activity to a lane (null = the pool). */
  canAddActivity(laneId: string | null): boolean;
  /** Change an activity's own fields (title, status, timeframe…; not its partners or lead). */
  canEditActivity(id: string): boolean;
  canMoveActivity(id: string, toLaneId: string | null): boolean;
  canDeleteActivity(id: string): boolean;
  /** Name or drop partners other than its own municipality (null = an activity this link adds now). */
  canManagePartners(id: string | null): boolean;
  /** Make `municipalityId` join or leave an activity's partners (null = an activity this link adds now). */
  canSetPartner(id: string | null, municipalityId: string): boolean;
  /** This link's own municipality joins or leaves an activity's partners. */
  canJoinAsPartner(id: string): boolean;
  /**
   * Make `leadId` (null = none) the lead of an activity (null = one this link adds now). Without
   * `leadId`: whether this link can change the lead at all.
   */
  canChooseLead(id: string | null, leadId?: string | null): boolean;
  /** Give (or take back) this link's own municipality's dots in a vote: only while it is open. */
  canVote(voteId: string): boolean;
  /**
   * Add a progress note (and with it a status) to an activity (PM30): a lock does not hold it; a
   * coordinator's link bound to a municipality reports on activities it leads or joins.
   */
  canAddProgressNote(id: string): boolean;
  /** Change or remove an existing progress note: the facilitator only. */
  readonly canChangeProgress: boolean;
}

export function permissionsFor(access: Access | null, board: PolicyBoard): Permissions {
  const role = access?.role ?? null;
  const own = access?.municipalityId ?? null;
  const writes = (root: string) => role !== null && canWriteRoot(role, root);
  const held = role === null || heldByRules(role);
  const canManageBoard = role !== null && !held && ROOTS.every(writes);
  const canChangeActivities = writes('activities');
  const votesFor = held && writes('votes') && own !== null ? (own as MunicipalityId) : null;

  // Locks as lockViolations reads them: the board's, or the lane's own (archived lanes too).
  const laneLocked = (laneId: string | null) =>
    laneId !== null && (board.lanes.some((l) => l.lane.id === laneId && l.lane.locked) || board.archivedLanes.some((l) => l.lane.id === laneId && l.lane.locked));
  const lockedIn = (laneId: string | null) => held && (board.meta.locked || laneLocked(laneId));
  const activity = (id: string) => board.activityById.get(id as never);
  /** An existing activity this link may change at all: its role writes activities and no lock holds it. */
  const changeable = (id: string) => {
    const a = activity(id);
    return a !== undefined && canChangeActivities && !lockedIn(a.laneId);
  };
  /** The activity (null = one this link adds now) may be changed at all. */
  const changeableOrNew = (id: string | null) => (id === null ? canChangeActivities : changeable(id));
  // Attribution (PM23): the municipality that added an activity manages its partners and its
  // lead (an unsigned one, a link bound to none); one this link adds now is its own.
  const manages = (id: string | null) => !held || id === null || managesPartners(activity(id)?.createdBy, own);
  // Anyone else takes or drops the lead only when it is free or its own.
  const ownOrFree = (leadId: string | null | undefined) => leadId == null || (own !== null && leadId === own);
  const canSetPartner = (id: string | null, municipalityId: string) => changeableOrNew(id) && (manages(id) || municipalityId === own);

  return {
    access,
    canManageBoard,
    canChangeActivities,
    votesFor,
    lockedIn,
    canAddActivity: (laneId) => canChangeActivities && !lockedIn(laneId),
    canEditActivity: changeable,
    canMoveActivity: (id, toLaneId) => changeable(id) && !lockedIn(toLaneId),
    canDeleteActivity: changeable,
    canManagePartners: (id) => changeableOrNew(id) && manages(id),
    canSetPartner,
    canJoinAsPartner: (id) => own !== null && canSetPartner(id, own),
    canChooseLead: (id, leadId) => {
      if (!changeableOrNew(id)) return false;
      if (manages(id)) return true;
      const current = activity(id!)?.leadId ?? null;
      if (leadId === undefined) return own !== null && ownOrFree(current);
      return (leadId ?? null) === current || (ownOrFree(current) && ownOrFree(leadId));
    },
    // Dots only while the vote is open (giveDot refuses others); the server also keeps a late
    // dot (an honest race, PM21), which the board never offers.
    canVote: (voteId) => votesFor !== null && board.votes.some((v) => v.id === voteId && v.state === 'open'),
    canAddProgressNote: (id) => {
      const a = activity(id);
      return a !== undefined && canChangeActivities && (!held || mayReportOn(a, own));
    },
    canChangeProgress: canManageBoard,
  };
}

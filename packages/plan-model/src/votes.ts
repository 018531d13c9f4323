/**
 * Dot voting per municipality: the facilitator opens a vote over a lane (or the whole
 * board) with N dots per municipality; each municipality's coordinators give them; the
 * facilitator reveals the sorted results (frozen in the document), closes, re-runs.
 * Pure operations (one transaction each), counting, and the check the server runs on coordinators.
 */
import * as Y from 'yjs';
import { type ActivityId, type LaneId, type MunicipalityId, randomId } from './ids.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { PlanError } from './operations.js';
import {
  type Activity,
  ballotOf,
  type EntryMap,
  LIMITS,
  newBallots,
  newEntry,
  readActivity,
  readVote,
  roots,
  type Vote,
  type VoteResult,
  writeVote,
} from './schema.js';
import type { VoteChange } from './validate.js';

export const newVoteId = (): string => `v_${randomId()}`;

/** Every vote, oldest first. */
export function readVotes(map: Y.Map<EntryMap>): Vote[] {
  const votes: Vote[] = [];
  for (const [id, m] of map.entries()) {
    const vote = readVote(id, m);
    if (vote) votes.push(vote);
  }
  return votes.sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
}

/** The vote the room is in (open or revealed), if any: the newest one not closed. */
export function currentVote(votes: readonly Vote[]): Vote | null {
  for (let i = votes.length - 1; i >= 0; i--) if (votes[i]!.state !== 'closed') return votes[i]!;
  return null;
}

/** Whether an activity is one the vote is about (a lane's, or any placed one for the whole board). */
export const inVoteScope = (vote: Pick<Vote, 'laneId'>, activity: Pick<Activity, 'laneId'>): boolean =>
  vote.laneId === null ? activity.laneId !== null : activity.laneId === vote.laneId;

/** The activities of a board as counting needs them (`readBoard(doc).activityById` will do). */
export type VoteActivities = ReadonlyMap<string, Pick<Activity, 'laneId' | 'title'>>;

/**
 * A municipality's dots that count: only on activities that still exist and are in the vote's
 * scope (a card deleted or moved out gives its dots back), and at most `vote.dots` of them. Two
 * delegates of one municipality clicking at the same moment can give one too many: the extra
 * ones, last in activity-id order, do not count (the board asks them to take one back).
 */
export function countedBallot(vote: Vote, municipalityId: string, activities: VoteActivities): Map<string, number> {
  const counted = new Map<string, number>();
  let left = vote.dots;
  for (const [activityId, dots] of Object.entries(vote.ballots[municipalityId] ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const activity = activities.get(activityId);
    if (!activity || !inVoteScope(vote, activity) || left === 0) continue;
    counted.set(activityId, Math.min(dots, left));
    left -= Math.min(dots, left);
  }
  return counted;
}

/** Dots a municipality has on the vote's activities (more than `vote.dots` after a race). */
export function dotsGiven(vote: Vote, municipalityId: string, activities: VoteActivities): number {
  let given = 0;
  for (const [activityId, dots] of Object.entries(vote.ballots[municipalityId] ?? {})) {
    const activity = activities.get(activityId);
    if (activity && inVoteScope(vote, activity)) given += dots;
  }
  return given;
}

export const dotsLeft = (vote: Vote, municipalityId: string, activities: VoteActivities): number =>
  Math.max(0, vote.dots - dotsGiven(vote, municipalityId, activities));

/** Municipalities with at least one dot that counts. */
export const municipalitiesVoted = (vote: Vote, activities: VoteActivities): string[] =>
  Object.keys(vote.ballots).filter((m) => countedBallot(vote, m, activities).size > 0).sort();

/**
 * The tally: activities with at least one dot that counts, most dots first; ties go to the one
 * more municipalities backed, then by title.
 */
export function tallyVote(vote: Vote, activities: VoteActivities): VoteResult[] {
  const totals = new Map<string, { dots: number; municipalities: number }>();
  for (const municipalityId of Object.keys(vote.ballots)) {
    for (const [activityId, dots] of countedBallot(vote, municipalityId, activities)) {
      const t = totals.get(activityId) ?? { dots: 0, municipalities: 0 };
      totals.set(activityId, { dots: t.dots + dots, municipalities: t.municipalities + 1 });
    }
  }
  return [...totals]
    .map(([activityId, t]) => ({ activityId: activityId as ActivityId, title: activities.get(activityId)!.title, ...t }))
    .sort((a, b) => b.dots - a.dots || b.municipalities - a.municipalities || a.title.localeCompare(b.title, 'bs') || (a.activityId < b.activityId ? -1 : 1))
    .slice(0, LIMITS.voteResults);
}

function voteActivities(doc: Y.Doc): Map<string, Activity> {
  const activities = new Map<string, Activity>();
  for (const [id, m] of roots(doc).activities.entries()) activities.set(id, readActivity(id, m));
  return activities;
}

function getVote(doc: Y.Doc, voteId: string): { entry: EntryMap; vote: Vote } {
  const entry = roots(doc).votes.get(voteId);
  const vote = entry ? readVote(voteId, entry) : null;
  if (!entry || !vote) throw new PlanError('invalid', `unknown vote: ${voteId}`);
  return { entry, vote };
}

/** Ends a vote; results are frozen first if it was never revealed. */
function endVote(doc: Y.Doc, entry: EntryMap, vote: Vote): void {
  writeVote(entry, vote.results ? { state: 'closed' } : { state: 'closed', results: tallyVote(vote, voteActivities(doc)) });
}

/**
 * Opens a vote (closing the room's current one). Every municipality's ballot map is created
 * now: if two coordinators of one municipality each created it on their first dot, one map
 * (and its dots) would be lost.
 */
export function openVote(
  doc: Y.Doc,
  settings: { laneId: LaneId | null; dots: number },
  serverNow: number,
  options: { id?: string; origin?: PlanOrigin } = {},
): string {
  const dots = Math.trunc(settings.dots);
  if (!(dots >= 1 && dots <= LIMITS.dotsPerMunicipality)) throw new PlanError('invalid', `dots must be 1-${LIMITS.dotsPerMunicipality}`);
  const { lanes, municipalities, votes } = roots(doc);
  if (settings.laneId !== null && !lanes.has(settings.laneId)) throw new PlanError('unknown-lane', `unknown-lane: ${settings.laneId}`);
  const id = options.id ?? newVoteId();
  doc.transact(() => {
    for (const [otherId, other] of votes.entries()) {
      const vote = readVote(otherId, other);
      if (vote && vote.state !== 'closed') endVote(doc, other, vote);
    }
    const entry = newEntry(id);
    votes.set(id, entry);
    writeVote(entry, { laneId: settings.laneId, dots, state: 'open', openedAt: Math.round(serverNow) });
    newBallots(entry);
    for (const municipalityId of municipalities.keys()) ballotOf(entry, municipalityId as MunicipalityId, true);
  }, options.origin ?? localOrigin);
  return id;
}

/**
 * One more (+1) or one less (-1) dot from a municipality to an activity, while the vote is open.
 * A dot goes only to an activity in the vote's scope, and only while the municipality has one
 * left; a dot can always be taken back.
 */
export function giveDot(
  doc: Y.Doc,
  voteId: string,
  municipalityId: MunicipalityId,
  activityId: ActivityId,
  delta: 1 | -1,
  origin: PlanOrigin = localOrigin,
): void {
  const { entry, vote } = getVote(doc, voteId);
  if (vote.state !== 'open') throw new PlanError('invalid', 'the vote is not open');
  const current = vote.ballots[municipalityId]?.[activityId] ?? 0;
  const activities = voteActivities(doc);
  if (delta > 0) {
    const activity = activities.get(activityId);
    if (!activity || !inVoteScope(vote, activity)) throw new PlanError('invalid', 'not part of this vote');
    if (dotsLeft(vote, municipalityId, activities) === 0) throw new PlanError('invalid', 'no dots left');
  } else if (current === 0) {
    throw new PlanError('invalid', 'no dot to take back');
  }
  const next = current + delta;
  doc.transact(() => {
    const ballot = ballotOf(entry, municipalityId, true);
    if (!ballot) throw new PlanError('invalid', 'the vote has no ballots');
    if (next === 0) ballot.delete(activityId);
    else ballot.set(activityId, next);
    // Dots left on cards deleted or moved out no longer count: cleared with the next dot, so a ballot stays small.
    if (delta > 0) {
      for (const other of [...ballot.keys()]) {
        const activity = activities.get(other);
        if (!activity || !inVoteScope(vote, activity)) ballot.delete(other);
      }
    }
  }, origin);
}

/** Shows the results to everyone: no more dots; the sorted tally is frozen in the vote. */
export function revealVote(doc: Y.Doc, voteId: string, origin: PlanOrigin = localOrigin): void {
  const { entry, vote } = getVote(doc, voteId);
  if (vote.state !== 'open') return;
  doc.transact(() => writeVote(entry, { state: 'revealed', results: tallyVote(vote, voteActivities(doc)) }), origin);
}

/**
 * Ends the vote; it stays in the document as a record with its results. Any older vote still
 * open (two facilitator screens opened one each) ends with it, so none comes back later.
 */
export function closeVote(doc: Y.Doc, voteId: string, origin: PlanOrigin = localOrigin): void {
  const { vote } = getVote(doc, voteId);
  const { votes } = roots(doc);
  const ending = readVotes(votes).filter((v) => v.state !== 'closed' && (v.id === voteId || v.openedAt <= vote.openedAt));
  if (ending.length === 0) return;
  doc.transact(() => {
    for (const v of ending) endVote(doc, votes.get(v.id)!, v);
  }, origin);
}

/** The same vote again (scope and dots), with empty ballots; the earlier one is kept, closed. */
export function rerunVote(doc: Y.Doc, voteId: string, serverNow: number, origin: PlanOrigin = localOrigin): string {
  const { vote } = getVote(doc, voteId);
  return openVote(doc, { laneId: vote.laneId, dots: vote.dots }, serverNow, { origin });
}

/**
 * Why a coordinator's change to votes is not allowed (empty = allowed). A coordinator changes
 * only its own municipality's ballot (the municipality its link is bound to; a link bound to
 * none cannot vote); everything else about a vote is the facilitator's. How much counts is
 * counting's business (`countedBallot`: in scope, at most N, frozen at the reveal), so a dot
 * that arrives late (given offline, or just as the facilitator revealed) is kept, not refused:
 * refusing it would cost the coordinator the connection for a harmless race.
 */
export function voteViolations(before: Y.Doc, after: Y.Doc, changes: ReadonlyMap<string, VoteChange>, municipalityId: string | null): string[] {
  if (changes.size === 0) return [];
  if (municipalityId === null) return ['voting needs a municipality link'];
  for (const [voteId, change] of changes) {
    if (change.settings) return [`only the facilitator runs votes (${voteId})`];
    const others = [...change.ballots].filter((m) => m !== municipalityId);
    if (others.length > 0) return [`dots of another municipality (${others[0]})`];
    // A bound on the ballot's size, not a count: giveDot keeps one device within `dots` entries,
    // so only a ballot growing far past that is refused (never one an earlier version left large).
    const size = (doc: Y.Doc) => ballotOf(roots(doc).votes.get(voteId) ?? new Y.Map(), municipalityId as MunicipalityId, false)?.size ?? 0;
    const vote = readVote(voteId, roots(after).votes.get(voteId) ?? new Y.Map());
    const grown = size(after);
    if (vote && grown > size(before) && grown > BALLOT_ENTRIES_PER_DOT * vote.dots) return [`a ballot of more than ${BALLOT_ENTRIES_PER_DOT * vote.dots} entries`];
  }
  return [];
}

/** Entries one municipality's ballot may grow to, per dot of the vote (room for delegates racing). */
const BALLOT_ENTRIES_PER_DOT = 4;

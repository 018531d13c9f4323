/**
 * Dot voting per municipality: the facilitator opens a vote over a lane (or the whole
 * board) with N dots per municipality; each municipality's coordinators give them; the
 * facilitator reveals the sorted results (frozen in the document), closes, re-runs.
 * Pure operations (one transaction each) and the checks the server runs on coordinators.
 */
import type * as Y from 'yjs';
import { type ActivityId, type LaneId, type MunicipalityId, randomId } from './ids.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { PlanError } from './operations.js';
import {
  type Activity,
  ballotOf,
  type EntryMap,
  LIMITS,
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
export const currentVote = (votes: readonly Vote[]): Vote | null => votes.findLast((v) => v.state !== 'closed') ?? null;

/** Whether an activity is one the vote is about (a lane's, or any placed one for the whole board). */
export const inVoteScope = (vote: Pick<Vote, 'laneId'>, activity: Pick<Activity, 'laneId'>): boolean =>
  vote.laneId === null ? activity.laneId !== null : activity.laneId === vote.laneId;

export const dotsGiven = (vote: Vote, municipalityId: string): number =>
  Object.values(vote.ballots[municipalityId] ?? {}).reduce((n, d) => n + d, 0);

export const dotsLeft = (vote: Vote, municipalityId: string): number => Math.max(0, vote.dots - dotsGiven(vote, municipalityId));

/** Municipalities that gave at least one dot. */
export const municipalitiesVoted = (vote: Vote): string[] =>
  Object.keys(vote.ballots).filter((m) => dotsGiven(vote, m) > 0).sort();

/**
 * The tally: activities with at least one dot, most dots first; ties go to the one more
 * municipalities backed, then by title. Titles are looked up in `activities` (missing = deleted).
 */
export function tallyVote(vote: Vote, activities: ReadonlyMap<string, Pick<Activity, 'title'>>): VoteResult[] {
  const totals = new Map<string, { dots: number; municipalities: number }>();
  for (const ballot of Object.values(vote.ballots)) {
    for (const [activityId, dots] of Object.entries(ballot)) {
      if (!activities.has(activityId)) continue;
      const t = totals.get(activityId) ?? { dots: 0, municipalities: 0 };
      totals.set(activityId, { dots: t.dots + dots, municipalities: t.municipalities + 1 });
    }
  }
  return [...totals]
    .map(([activityId, t]) => ({ activityId: activityId as ActivityId, title: activities.get(activityId)!.title, ...t }))
    .sort((a, b) => b.dots - a.dots || b.municipalities - a.municipalities || a.title.localeCompare(b.title, 'bs') || (a.activityId < b.activityId ? -1 : 1))
    .slice(0, LIMITS.voteResults);
}

function activityTitles(doc: Y.Doc): Map<string, { title: string }> {
  const titles = new Map<string, { title: string }>();
  for (const [id, m] of roots(doc).activities.entries()) titles.set(id, { title: readActivity(id, m).title });
  return titles;
}

function getVote(doc: Y.Doc, voteId: string): { entry: EntryMap; vote: Vote } {
  const entry = roots(doc).votes.get(voteId);
  const vote = entry ? readVote(voteId, entry) : null;
  if (!entry || !vote) throw new PlanError('invalid', `unknown vote: ${voteId}`);
  return { entry, vote };
}

/** Ends a vote; results are frozen first if it was never revealed. */
function endVote(doc: Y.Doc, entry: EntryMap, vote: Vote): void {
  writeVote(entry, vote.results ? { state: 'closed' } : { state: 'closed', results: tallyVote(vote, activityTitles(doc)) });
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
    for (const municipalityId of municipalities.keys()) ballotOf(entry, municipalityId as MunicipalityId, true);
  }, options.origin ?? localOrigin);
  return id;
}

/**
 * One more (+1) or one less (-1) dot from a municipality to an activity. Throws when the vote
 * is not open, the activity is not in its scope, or the municipality has no dot left.
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
  const activity = roots(doc).activities.get(activityId);
  if (!activity || !inVoteScope(vote, readActivity(activityId, activity))) throw new PlanError('invalid', 'not part of this vote');
  const current = vote.ballots[municipalityId]?.[activityId] ?? 0;
  const next = current + delta;
  if (next < 0 || (delta > 0 && dotsLeft(vote, municipalityId) === 0)) throw new PlanError('invalid', 'no dots left');
  doc.transact(() => {
    const ballot = ballotOf(entry, municipalityId, true)!;
    if (next === 0) ballot.delete(activityId);
    else ballot.set(activityId, next);
  }, origin);
}

/** Shows the results to everyone: no more dots; the sorted tally is frozen in the vote. */
export function revealVote(doc: Y.Doc, voteId: string, origin: PlanOrigin = localOrigin): void {
  const { entry, vote } = getVote(doc, voteId);
  if (vote.state !== 'open') return;
  doc.transact(() => writeVote(entry, { state: 'revealed', results: tallyVote(vote, activityTitles(doc)) }), origin);
}

/** Ends the vote; it stays in the document as a record with its results. */
export function closeVote(doc: Y.Doc, voteId: string, origin: PlanOrigin = localOrigin): void {
  const { entry, vote } = getVote(doc, voteId);
  if (vote.state === 'closed') return;
  doc.transact(() => endVote(doc, entry, vote), origin);
}

/** The same vote again (scope and dots), with empty ballots; the earlier one is kept, closed. */
export function rerunVote(doc: Y.Doc, voteId: string, serverNow: number, origin: PlanOrigin = localOrigin): string {
  const { vote } = getVote(doc, voteId);
  return openVote(doc, { laneId: vote.laneId, dots: vote.dots }, serverNow, { origin });
}

/**
 * Why a coordinator's change to votes is not allowed (empty = allowed). A coordinator
 * gives only its own municipality's dots (the municipality its link is bound to), only
 * while the vote is open, only to activities in the vote's scope. Everything else about a
 * vote is the facilitator's. `before` is the accepted document, `after` the same with the
 * change applied; the dots limit itself is schema validation.
 */
export function voteViolations(
  before: Y.Doc,
  after: Y.Doc,
  changes: ReadonlyMap<string, VoteChange>,
  municipalityId: string | null,
): string[] {
  if (changes.size === 0) return [];
  if (municipalityId === null) return ['voting needs a municipality link'];
  const problems: string[] = [];
  const { activities } = roots(after);
  for (const [voteId, change] of changes) {
    if (change.settings) {
      problems.push(`only the facilitator runs votes (${voteId})`);
      continue;
    }
    const others = [...change.ballots].filter((m) => m !== municipalityId);
    if (others.length > 0) {
      problems.push(`dots of another municipality (${others[0]})`);
      continue;
    }
    const wasEntry = roots(before).votes.get(voteId);
    const nowEntry = roots(after).votes.get(voteId);
    const was = wasEntry ? readVote(voteId, wasEntry) : null;
    const now = nowEntry ? readVote(voteId, nowEntry) : null;
    if (!was || !now || was.state !== 'open') {
      problems.push(`the vote is not open (${voteId})`);
      continue;
    }
    const given = now.ballots[municipalityId] ?? {};
    const previously = was.ballots[municipalityId] ?? {};
    for (const [activityId, dots] of Object.entries(given)) {
      if (previously[activityId] === dots) continue;
      const activity = activities.get(activityId);
      if (!activity || !inVoteScope(now, readActivity(activityId, activity))) problems.push(`activity ${activityId} is not part of the vote`);
    }
  }
  return problems;
}

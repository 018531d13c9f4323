/**
 * Operations on a board document. Each is one `doc.transact` with a tagged origin,
 * so one user action is one update on the wire and one step of undo.
 */
import type * as Y from 'yjs';
import {
  type ActivityId,
  type LaneId,
  type MunicipalityId,
  newActivityId,
  newLaneId,
  newMunicipalityId,
} from './ids.js';
import { compareRanks, evenRanks, rankAt } from './ordering.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import {
  ballotOf,
  type ActivityFields,
  type EntryMap,
  LIMITS,
  type LaneFields,
  type MunicipalityFields,
  newEntry,
  progressOf,
  readActivity,
  readLane,
  readVote,
  roots,
  setPartner,
  setPlacement,
  setRank,
  writeActivity,
  writeCreatedBy,
  writeLane,
  writeMeta,
  writeMunicipality,
} from './schema.js';

export class PlanError extends Error {
  constructor(
    readonly code: 'unknown-lane' | 'unknown-activity' | 'unknown-municipality' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

function get(map: Y.Map<EntryMap>, id: string, code: PlanError['code']): EntryMap {
  const entry = map.get(id);
  if (!entry) throw new PlanError(code, `${code}: ${id}`);
  return entry;
}

/** Lanes sorted by rank, optionally without one (the one being moved). */
function sortedLanes(doc: Y.Doc, except?: LaneId) {
  const out = [];
  for (const [id, m] of roots(doc).lanes.entries()) if (id !== except) out.push(readLane(id, m));
  return out.sort(compareRanks);
}

/** A lane's activities (or the pool's, for null) sorted by rank, optionally without one. */
function sortedActivitiesIn(doc: Y.Doc, laneId: LaneId | null, except?: ActivityId) {
  const { lanes, activities } = roots(doc);
  const out = [];
  for (const [id, m] of activities.entries()) {
    if (id === except) continue;
    const a = readActivity(id, m);
    const effectiveLane = a.laneId !== null && lanes.has(a.laneId) ? a.laneId : null;
    if (effectiveLane === laneId) out.push(a);
  }
  return out.sort(compareRanks);
}

// ---------------------------------------------------------------------------
// Board

export function setBoardTitle(doc: Y.Doc, title: string, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeMeta(roots(doc).meta, { title }), origin);
}

// ---------------------------------------------------------------------------
// Municipalities

export function addMunicipality(
  doc: Y.Doc,
  fields: Required<Pick<MunicipalityFields, 'name' | 'color'>> & MunicipalityFields,
  options: { id?: MunicipalityId; origin?: PlanOrigin } = {},
): MunicipalityId {
  const id = options.id ?? newMunicipalityId();
  doc.transact(() => {
    const entry = newEntry(id);
    const { municipalities, votes } = roots(doc);
    municipalities.set(id, entry);
    writeMunicipality(entry, fields);
    // Its ballot in a vote under way exists from now on, as openVote made the others' (PM10's reason).
    for (const [voteId, vote] of votes.entries()) if (readVote(voteId, vote)?.state === 'open') ballotOf(vote, id, true);
  }, options.origin ?? localOrigin);
  return id;
}

export function editMunicipality(
  doc: Y.Doc,
  id: MunicipalityId,
  fields: MunicipalityFields,
  origin: PlanOrigin = localOrigin,
): void {
  doc.transact(() => writeMunicipality(get(roots(doc).municipalities, id, 'unknown-municipality'), fields), origin);
}

// ---------------------------------------------------------------------------
// Lanes

export function createLane(
  doc: Y.Doc,
  fields: Required<Pick<LaneFields, 'title'>> & LaneFields,
  options: { id?: LaneId; index?: number; origin?: PlanOrigin } = {},
): LaneId {
  const id = options.id ?? newLaneId();
  doc.transact(() => {
    const lanes = sortedLanes(doc);
    const entry = newEntry(id, { rank: rankAt(lanes, options.index ?? lanes.length) });
    roots(doc).lanes.set(id, entry);
    writeLane(entry, fields);
  }, options.origin ?? localOrigin);
  return id;
}

export function renameLane(doc: Y.Doc, id: LaneId, title: string, origin: PlanOrigin = localOrigin): void {
  editLane(doc, id, { title }, origin);
}

export function editLane(doc: Y.Doc, id: LaneId, fields: LaneFields, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => writeLane(get(roots(doc).lanes, id, 'unknown-lane'), fields), origin);
}

/** Moves a lane to `index` among the other lanes. */
export function reorderLane(doc: Y.Doc, id: LaneId, index: number, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => {
    const entry = get(roots(doc).lanes, id, 'unknown-lane');
    setRank(entry, rankAt(sortedLanes(doc, id), index));
  }, origin);
}

/**
 * Deletes a lane; its activities go back to the not-yet-placed pool, after the pool's
 * own. (An activity moved into the lane concurrently also reads as unplaced: see
 * boardView.)
 */
export function deleteLane(doc: Y.Doc, id: LaneId, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => {
    const { lanes, activities } = roots(doc);
    get(lanes, id, 'unknown-lane');
    const pool = sortedActivitiesIn(doc, null);
    const moving = sortedActivitiesIn(doc, id);
    lanes.delete(id);
    let last = pool.at(-1)?.rank ?? null;
    for (const a of moving) {
      const rank = rankAt(last === null ? [] : [{ rank: last }], 1);
      setPlacement(activities.get(a.id)!, null, rank);
      last = rank;
    }
  }, origin);
}

// ---------------------------------------------------------------------------
// Activities

export function addActivity(
  doc: Y.Doc,
  fields: Required<Pick<ActivityFields, 'title'>> & ActivityFields,
  placement: { laneId: LaneId | null; index?: number } = { laneId: null },
  options: { id?: ActivityId; origin?: PlanOrigin; createdBy?: MunicipalityId } = {},
): ActivityId {
  const id = options.id ?? newActivityId();
  doc.transact(() => {
    const { lanes, activities } = roots(doc);
    if (placement.laneId !== null) get(lanes, placement.laneId, 'unknown-lane');
    const siblings = sortedActivitiesIn(doc, placement.laneId);
    const entry = newEntry(id, {
      laneId: placement.laneId,
      rank: rankAt(siblings, placement.index ?? siblings.length),
    });
    activities.set(id, entry);
    // The partners map exists from the start: if two replicas each created it on their
    // first join, one map would win and the other's partners would be lost.
    writeActivity(entry, { partners: [], ...fields });
    // So is the map of progress notes (PM30), for the same reason.
    progressOf(entry);
    if (options.createdBy) writeCreatedBy(entry, options.createdBy);
  }, options.origin ?? localOrigin);
  return id;
}

export function editActivity(
  doc: Y.Doc,
  id: ActivityId,
  fields: ActivityFields,
  origin: PlanOrigin = localOrigin,
): void {
  doc.transact(() => writeActivity(get(roots(doc).activities, id, 'unknown-activity'), fields), origin);
}

/**
 * Edits an activity and changes partner memberships in one transaction (one update, one undo
 * step). Only the memberships named change: a partner that joined meanwhile stays.
 */
export function editActivityAndPartners(
  doc: Y.Doc,
  id: ActivityId,
  fields: Omit<ActivityFields, 'partners'>,
  partnerChanges: ReadonlyMap<MunicipalityId, boolean>,
  origin: PlanOrigin = localOrigin,
): void {
  doc.transact(() => {
    const entry = get(roots(doc).activities, id, 'unknown-activity');
    writeActivity(entry, fields);
    for (const [municipalityId, joined] of partnerChanges) setPartner(entry, municipalityId, joined);
  }, origin);
}

/**
 * Moves an activity to `index` of a lane (or the pool, laneId null), counted among the
 * lane's other activities. Sets laneId and rank together in one transaction: order is
 * never a position in a Y.Array, so concurrent moves cannot duplicate a card.
 */
export function moveActivity(
  doc: Y.Doc,
  id: ActivityId,
  laneId: LaneId | null,
  index: number,
  origin: PlanOrigin = localOrigin,
): void {
  doc.transact(() => {
    const { lanes, activities } = roots(doc);
    const entry = get(activities, id, 'unknown-activity');
    if (laneId !== null) get(lanes, laneId, 'unknown-lane');
    const others = sortedActivitiesIn(doc, laneId, id);
    const rank = rankAt(others, index);
    if (rank.length <= LIMITS.rank) return setPlacement(entry, laneId, rank);
    // Many moves into one gap made the keys long: re-space the whole lane, in this same transaction.
    const order = others.map((a) => a.id);
    order.splice(Math.max(0, Math.min(index, order.length)), 0, id);
    const ranks = evenRanks(order.length);
    order.forEach((activityId, i) => {
      const m = activities.get(activityId)!;
      if (activityId === id) setPlacement(m, laneId, ranks[i]!);
      else setRank(m, ranks[i]!);
    });
  }, origin);
}

export function setActivityPartner(
  doc: Y.Doc,
  id: ActivityId,
  municipalityId: MunicipalityId,
  joined: boolean,
  origin: PlanOrigin = localOrigin,
): void {
  doc.transact(() => setPartner(get(roots(doc).activities, id, 'unknown-activity'), municipalityId, joined), origin);
}

export function deleteActivity(doc: Y.Doc, id: ActivityId, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => {
    const { activities } = roots(doc);
    get(activities, id, 'unknown-activity');
    activities.delete(id);
  }, origin);
}

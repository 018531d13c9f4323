/**
 * An immutable, plain-object view of a board for readers (React, exports, tests).
 * Built with structural sharing: an unchanged activity or lane keeps its object
 * identity across views, so a UI re-renders only the lanes that changed.
 */
import type * as Y from 'yjs';
import type { ActivityId, LaneId, MunicipalityId } from './ids.js';
import { compareRanks } from './ordering.js';
import {
  type Activity,
  type BoardMeta,
  type Facilitation,
  type Lane,
  type Municipality,
  readActivity,
  readFacilitation,
  readLane,
  readMeta,
  readMunicipality,
  roots,
  type Vote,
} from './schema.js';
import { readVotes } from './votes.js';

export interface LaneView {
  readonly lane: Lane;
  readonly activities: readonly Activity[];
}

export interface BoardView {
  readonly meta: BoardMeta;
  /** Sorted by name. */
  readonly municipalities: readonly Municipality[];
  readonly municipalityById: ReadonlyMap<MunicipalityId, Municipality>;
  /** Sorted by rank; archived lanes are not among them. */
  readonly lanes: readonly LaneView[];
  /** Lanes the facilitator put away, with their activities (not shown on the board, not in the pool). */
  readonly archivedLanes: readonly LaneView[];
  readonly facilitation: Facilitation;
  /** Dot votes, oldest first (the room's current one: `currentVote`). */
  readonly votes: readonly Vote[];
  /** The "not yet placed" pool: activities with no lane or a lane that no longer exists. */
  readonly unplaced: readonly Activity[];
  readonly activityById: ReadonlyMap<ActivityId, Activity>;
}

/**
 * `changed`, with `previous`: whether a Y map may have changed since `previous` was read (a store
 * that follows the document's transactions knows), true too for an activity's map put in since
 * then under any id. An activity whose map did not change is taken from `previous` without reading
 * it: a remote move reads one activity, not the whole board.
 */
export function readBoard(doc: Y.Doc, previous?: BoardView, changed?: (type: Y.Map<unknown>) => boolean): BoardView {
  const r = roots(doc);
  const unchanged = (id: ActivityId, m: Y.Map<unknown>) => (previous && changed && !changed(m) ? previous.activityById.get(id) : undefined);

  const meta = same(previous?.meta, readMeta(r.meta));

  const municipalities = [...r.municipalities.entries()]
    .map(([id, m]) => same(previous?.municipalityById.get(id as MunicipalityId), readMunicipality(id, m)))
    .sort((a, b) => a.name.localeCompare(b.name, 'bs') || (a.id < b.id ? -1 : 1));

  const laneList = [...r.lanes.entries()].map(([id, m]) => readLane(id, m)).sort(compareRanks);
  const byLane = new Map<LaneId | null, Activity[]>(laneList.map((l) => [l.id, []]));
  byLane.set(null, []);
  const activityById = new Map<ActivityId, Activity>();
  for (const [id, m] of r.activities.entries()) {
    const a = unchanged(id as ActivityId, m) ?? same(previous?.activityById.get(id as ActivityId), readActivity(id, m));
    activityById.set(a.id, a);
    (byLane.get(a.laneId) ?? byLane.get(null)!).push(a);
  }
  for (const list of byLane.values()) list.sort(compareRanks);

  const previousLanes = new Map([...(previous?.lanes ?? []), ...(previous?.archivedLanes ?? [])].map((l) => [l.lane.id, l]));
  const views = laneList.map((lane) => {
    const prev = previousLanes.get(lane.id);
    const next: LaneView = { lane: same(prev?.lane, lane), activities: sameList(prev?.activities, byLane.get(lane.id)!) };
    return prev && prev.lane === next.lane && prev.activities === next.activities ? prev : next;
  });
  const lanes = views.filter((v) => !v.lane.archived);
  const archivedLanes = views.filter((v) => v.lane.archived);

  const municipalityList = sameList(previous?.municipalities, municipalities);
  const view: BoardView = {
    meta,
    municipalities: municipalityList,
    // Kept while no municipality changed, like the list: readers' memos and effects hold.
    municipalityById: municipalityList === previous?.municipalities ? previous.municipalityById : new Map(municipalities.map((m) => [m.id, m])),
    lanes: sameList(previous?.lanes, lanes),
    archivedLanes: sameList(previous?.archivedLanes, archivedLanes),
    facilitation: sameJson(previous?.facilitation, readFacilitation(r.facilitation)),
    votes: sameJson(previous?.votes, readVotes(r.votes)),
    unplaced: sameList(previous?.unplaced, byLane.get(null)!),
    activityById,
  };
  return view;
}

/** Small plain values (facilitation, votes): the previous object when equal as JSON. */
function sameJson<T>(prev: T | undefined, next: T): T {
  return prev !== undefined && JSON.stringify(prev) === JSON.stringify(next) ? prev : next;
}

/** The previous object when it is shallowly equal (arrays compared element-wise). */
function same<T extends object>(prev: T | undefined, next: T): T {
  if (!prev) return next;
  const a = prev as Record<string, unknown>;
  const b = next as Record<string, unknown>;
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return next;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    // Elements compared by identity; records (progress notes, read afresh each time) by value.
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i] || (typeof v === 'object' && JSON.stringify(v) === JSON.stringify(y[i])))) continue;
    return next;
  }
  return prev;
}

function sameList<T>(prev: readonly T[] | undefined, next: readonly T[]): readonly T[] {
  return prev && prev.length === next.length && prev.every((v, i) => v === next[i]) ? prev : next;
}

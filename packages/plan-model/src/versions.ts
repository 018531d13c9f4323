/**
 * Versions of a board: restoring one as a forward change (PM26), what changed between two views
 * (PM27), a one-line summary, and the moments worth an automatic version (PM28).
 *
 * A version is a stored snapshot (the server keeps it beside the log). Restoring one never replaces
 * the document: it computes, against the live document, the edits that make it equal to the
 * version and applies them as one ordinary transaction (the AFFiNE pattern), so every replica
 * receives it like any edit, offline devices merge their own edits on top, and the facilitator's
 * undo manager (which tracks the local origin) takes it back in one step.
 */
import * as Y from 'yjs';
import type { BoardView } from './board-view.js';
import type { ActivityId, LaneId, MunicipalityId } from './ids.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { type Activity, PROGRESS_KEY, readFacilitation, readLane, readMeta, readVote, roots } from './schema.js';

/**
 * The roots a restore makes equal to the version's. Not `facilitation` and not `votes`:
 * facilitation is the session going on now (a running timer, a spotlight, "bring everyone here"),
 * which an old plan should not restart or re-summon; votes are the record of what the room
 * decided, with each municipality's own ballot, and rolling them back would erase dots given and
 * results revealed since. Of `meta` only the title: the board lock is the session's state too, and
 * `schemaVersion` is the document's, not the plan's.
 */
const RESTORED_ENTRIES = ['municipalities', 'lanes', 'activities'] as const;
const RESTORED_META_KEYS = ['title'] as const;
/** An activity's progress notes are the follow-through's history (PM30): a restore never rolls them back. */
const KEPT_ACTIVITY_KEYS: ReadonlySet<string> = new Set([PROGRESS_KEY]);
const NONE: ReadonlySet<string> = new Set();

/**
 * Makes the live document's title, municipalities, lanes and activities equal to those of
 * `version` (a document built from a saved snapshot), in ONE transaction with `origin`: changed
 * keys are set, what the version lacks is deleted, what it has is added, keeping entry ids (so a
 * card deleted since comes back as the same card, with its votes and links). Keys that are already
 * equal are not written, so a concurrent edit of another field (or of an entry the version does not
 * change) survives the merge.
 */
export function restoreVersion(doc: Y.Doc, version: Y.Doc, origin: PlanOrigin = localOrigin): void {
  const live = roots(doc);
  const then = roots(version);
  doc.transact(() => {
    for (const key of RESTORED_META_KEYS) syncValue(live.meta, key, then.meta.get(key));
    for (const root of RESTORED_ENTRIES) {
      syncMap(live[root] as Y.Map<unknown>, then[root] as Y.Map<unknown>, NONE, root === 'activities' ? KEPT_ACTIVITY_KEYS : NONE);
    }
  }, origin);
}

/**
 * Makes `target` equal to `source` (a map of another document), writing only what differs; keys in
 * `keep` stay as they are, and `entryKeep` is handed to the nested maps (an entry's own keys).
 */
function syncMap(target: Y.Map<unknown>, source: Y.Map<unknown>, keep: ReadonlySet<string> = NONE, entryKeep: ReadonlySet<string> = NONE): void {
  for (const key of [...target.keys()]) if (!source.has(key) && !keep.has(key)) target.delete(key);
  for (const [key, value] of source.entries()) if (!keep.has(key)) syncValue(target, key, value, entryKeep);
}

function syncValue(target: Y.Map<unknown>, key: string, value: unknown, keep: ReadonlySet<string> = NONE): void {
  if (value === undefined) {
    if (target.has(key)) target.delete(key);
    return;
  }
  const current = target.get(key);
  if (value instanceof Y.Map) {
    // Nested maps (entries, partners) are merged key by key, never replaced: a concurrent join
    // (another key of the same map) then stays.
    if (current instanceof Y.Map) syncMap(current, value, keep);
    else target.set(key, copyMap(value));
    return;
  }
  if (value instanceof Y.AbstractType) {
    // No other shared type lives in the restored roots today (validation refuses them): copied as JSON.
    const json: unknown = value.toJSON();
    if (!sameJson(current instanceof Y.AbstractType ? current.toJSON() : current, json)) target.set(key, json);
    return;
  }
  if (current instanceof Y.AbstractType || !sameJson(current, value)) target.set(key, cloneJson(value));
}

function copyMap(source: Y.Map<unknown>): Y.Map<unknown> {
  const copy = new Y.Map<unknown>();
  for (const [key, value] of source.entries()) {
    if (value instanceof Y.Map) copy.set(key, copyMap(value));
    else if (value instanceof Y.AbstractType) copy.set(key, value.toJSON());
    else copy.set(key, cloneJson(value));
  }
  return copy;
}

const sameJson = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);
const cloneJson = <T>(value: T): T => (value !== null && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as T) : value);

// ---------------------------------------------------------------------------
// What changed between two views

/** Fields of an activity a diff names when they change (placement is `moved`, partners their own kinds). */
export const DIFFED_FIELDS = [
  'title',
  'description',
  'leadId',
  'timeframe',
  'status',
  'responsible',
  'budget',
  'fundingSource',
  'indicator',
  'notes',
] as const satisfies readonly (keyof Activity)[];
export type DiffedField = (typeof DIFFED_FIELDS)[number];

export type ActivityChange =
  | { readonly kind: 'added'; readonly activityId: ActivityId; readonly title: string; readonly laneId: LaneId | null }
  | { readonly kind: 'removed'; readonly activityId: ActivityId; readonly title: string; readonly laneId: LaneId | null }
  | {
      readonly kind: 'moved';
      readonly activityId: ActivityId;
      readonly title: string;
      readonly fromLaneId: LaneId | null;
      readonly toLaneId: LaneId | null;
    }
  | { readonly kind: 'edited'; readonly activityId: ActivityId; readonly title: string; readonly fields: readonly DiffedField[] }
  | {
      readonly kind: 'partnerJoined' | 'partnerLeft';
      readonly activityId: ActivityId;
      readonly title: string;
      readonly municipalityId: MunicipalityId;
    };

/** The changes of one municipality's activities (its lead, or else who proposed it). */
export interface MunicipalityChanges {
  /** null: activities with neither a lead nor a proposer. */
  readonly municipalityId: MunicipalityId | null;
  /** Its name in `after` (or `before`, if it left the board); '' for null. */
  readonly name: string;
  readonly changes: readonly ActivityChange[];
}

export interface BoardDiff {
  /** Set when the title changed. */
  readonly title: { readonly before: string; readonly after: string } | null;
  /** By municipality name (unattributed last); within one, in the order of `ActivityChange` kinds above, then by title. */
  readonly municipalities: readonly MunicipalityChanges[];
  /** How many changes in all. */
  readonly count: number;
}

const KIND_ORDER: Record<ActivityChange['kind'], number> = { added: 0, moved: 1, edited: 2, partnerJoined: 3, partnerLeft: 4, removed: 5 };

const ownerOf = (a: Activity): MunicipalityId | null => a.leadId ?? a.createdBy ?? null;

/**
 * What changed from `before` to `after`, grouped by municipality: each activity under its lead, or
 * else its proposer (`createdBy`), as it is in `after` (a removed one: as it was). A change of rank
 * within the same lane is not reported (a reordering is not a change of plan).
 */
export function diffBoards(before: BoardView, after: BoardView): BoardDiff {
  const groups = new Map<MunicipalityId | null, ActivityChange[]>();
  const add = (owner: MunicipalityId | null, change: ActivityChange) => {
    let list = groups.get(owner);
    if (!list) groups.set(owner, (list = []));
    list.push(change);
  };
  for (const [id, now] of after.activityById) {
    const was = before.activityById.get(id);
    const owner = ownerOf(now);
    if (!was) {
      add(owner, { kind: 'added', activityId: id, title: now.title, laneId: now.laneId });
      continue;
    }
    if (was.laneId !== now.laneId) add(owner, { kind: 'moved', activityId: id, title: now.title, fromLaneId: was.laneId, toLaneId: now.laneId });
    const fields = DIFFED_FIELDS.filter((f) => was[f] !== now[f]);
    if (fields.length > 0) add(owner, { kind: 'edited', activityId: id, title: now.title, fields });
    for (const m of now.partners) if (!was.partners.includes(m)) add(owner, { kind: 'partnerJoined', activityId: id, title: now.title, municipalityId: m });
    for (const m of was.partners) if (!now.partners.includes(m)) add(owner, { kind: 'partnerLeft', activityId: id, title: now.title, municipalityId: m });
  }
  for (const [id, was] of before.activityById) {
    if (!after.activityById.has(id)) add(ownerOf(was), { kind: 'removed', activityId: id, title: was.title, laneId: was.laneId });
  }
  const nameOf = (id: MunicipalityId | null) =>
    id === null ? '' : (after.municipalityById.get(id)?.name ?? before.municipalityById.get(id)?.name ?? id);
  const municipalities = [...groups]
    .map(([municipalityId, changes]) => ({
      municipalityId,
      name: nameOf(municipalityId),
      changes: changes.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.title.localeCompare(b.title, 'bs')),
    }))
    .sort((a, b) => (a.municipalityId === null ? 1 : 0) - (b.municipalityId === null ? 1 : 0) || a.name.localeCompare(b.name, 'bs'));
  return {
    title: before.meta.title === after.meta.title ? null : { before: before.meta.title, after: after.meta.title },
    municipalities,
    count: municipalities.reduce((n, m) => n + m.changes.length, 0),
  };
}

// ---------------------------------------------------------------------------
// A one-line summary (stored with each version, in Bosnian: the server writes it)

/** CLDR plural category for Bosnian (and Serbian, Croatian) cardinals. */
function bsPlural(n: number): 'one' | 'few' | 'other' {
  const d = n % 10;
  const h = n % 100;
  if (d === 1 && h !== 11) return 'one';
  if (d >= 2 && d <= 4 && (h < 12 || h > 14)) return 'few';
  return 'other';
}

const forms = (one: string, few: string, other: string) => (n: number) =>
  `${n} ${{ one, few, other }[bsPlural(n)]}`;
const activitiesBs = forms('aktivnost', 'aktivnosti', 'aktivnosti');
const municipalitiesBs = forms('općina', 'općine', 'općina');

/**
 * "13 aktivnosti u 4 oblasti, 9 općina": the activities on the board (in its lanes and not yet
 * placed; archived lanes left out), its lanes and its municipalities. "u N oblasti" is a locative,
 * the same form for every N.
 */
export function summarizeBoard(view: BoardView): string {
  const activities = view.lanes.reduce((n, l) => n + l.activities.length, view.unplaced.length);
  return `${activitiesBs(activities)} u ${view.lanes.length} oblasti, ${municipalitiesBs(view.municipalities.length)}`;
}

// ---------------------------------------------------------------------------
// Moments worth an automatic version

/**
 * Why a version is saved automatically. `voteRevealed`, `laneLocked` and `boardLocked` are read
 * from a change of the document (`versionMoments`); `timerEnded` happens with no change (the clock
 * runs out: a watcher waits for `timerEndsAt`), and `hourly` is the watcher's own clock.
 */
export type VersionMoment = 'voteRevealed' | 'laneLocked' | 'boardLocked' | 'timerEnded' | 'hourly';

/** The names automatic versions get (stored, so in Bosnian, the board's first language). */
export const AUTO_VERSION_NAMES: Readonly<Record<VersionMoment, string>> = {
  voteRevealed: 'Automatski: glasanje otkriveno',
  laneLocked: 'Automatski: oblast zaključana',
  boardLocked: 'Automatski: tabla zaključana',
  timerEnded: 'Automatski: tajmer istekao',
  hourly: 'Automatski: svaki sat',
};

/**
 * What the automatic versions watch, read without the activities (O(lanes + votes), not O(board)):
 * cheap enough to read after every stored update of a busy board.
 */
export interface VersionSignals {
  readonly revealedVotes: ReadonlySet<string>;
  /** Archived lanes included: locking a lane is a moment wherever it sits. */
  readonly lockedLanes: ReadonlySet<string>;
  readonly boardLocked: boolean;
  /** When the running timer ends (server clock, ms), or null when none runs. */
  readonly timerEndsAt: number | null;
}

export function readVersionSignals(doc: Y.Doc): VersionSignals {
  const r = roots(doc);
  const revealedVotes = new Set<string>();
  for (const [id, m] of r.votes.entries()) if (readVote(id, m)?.state === 'revealed') revealedVotes.add(id);
  const lockedLanes = new Set<string>();
  for (const [id, m] of r.lanes.entries()) if (readLane(id, m).locked) lockedLanes.add(id);
  return {
    revealedVotes,
    lockedLanes,
    boardLocked: readMeta(r.meta).locked,
    timerEndsAt: readFacilitation(r.facilitation).timer?.endsAt ?? null,
  };
}

/**
 * The moments a change from `before` to `after` brings (each kind at most once, in this order): a
 * vote revealed (a vote now revealed that was not, a re-run revealed again included), a lane locked
 * (one now locked that was not, or a new lane born locked), the board locked.
 */
export function versionMoments(before: VersionSignals, after: VersionSignals): VersionMoment[] {
  const moments: VersionMoment[] = [];
  if ([...after.revealedVotes].some((id) => !before.revealedVotes.has(id))) moments.push('voteRevealed');
  if ([...after.lockedLanes].some((id) => !before.lockedLanes.has(id))) moments.push('laneLocked');
  if (after.boardLocked && !before.boardLocked) moments.push('boardLocked');
  return moments;
}

/**
 * Work this device kept aside because the server refused it ("honest clients keep their work").
 * When the server closes with a refusal, the change cannot stay in this device's copy (every
 * reconnect would send it again and be refused again), and it must not vanish either: the part of
 * the copy the server does not have is kept here as a Yjs update, per board link, with what it
 * would have changed (read with plan-model's readers once the server's state is known), so the
 * person sees what was not accepted and why, copies it out and enters it again by hand.
 */
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { type Activity, type BoardView, readBoard } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { tokenTag } from './offline-store.js';

/** Why a change was refused, as the person is told (each one a sentence in the catalogues). */
export type RefusalKind =
  | 'lockedLane'
  | 'lockedBoard'
  | 'viewer'
  | 'role'
  | 'attribution'
  | 'vote'
  | 'forbidden'
  | 'tooLarge'
  | 'invalid'
  | 'badMessage'
  | 'tooBig';

/**
 * The close code and the server's reason (see the room's write path and plan-model's policy
 * checks) as a kind. Reasons are English sentences meant for logs: an unknown one is simply
 * "forbidden" (or whatever its code says), never a wrong explanation.
 */
export function refusalKind(code: number, reason: string): RefusalKind {
  switch (code) {
    case CloseCode.forbidden:
      if (/locked lane/.test(reason)) return 'lockedLane';
      if (/board is locked/.test(reason)) return 'lockedBoard';
      if (/^viewers/.test(reason)) return 'viewer';
      if (/cannot change/.test(reason)) return 'role';
      if (/added by|lead|partner/.test(reason)) return 'attribution';
      if (/dot|vot|ballot/.test(reason)) return 'vote';
      return 'forbidden';
    case CloseCode.documentTooLarge:
      return 'tooLarge';
    case CloseCode.invalidUpdate:
      return 'invalid';
    case CloseCode.messageTooBig:
      return 'tooBig';
    default:
      return 'badMessage';
  }
}

/** An activity's fields as a person reads them (plus `position`: its place in the lane). */
export const ACTIVITY_FIELDS = [
  'title',
  'lane',
  'position',
  'description',
  'lead',
  'partners',
  'timeframe',
  'status',
  'responsible',
  'budget',
  'fundingSource',
  'indicator',
  'notes',
] as const;
export type ActivityField = (typeof ACTIVITY_FIELDS)[number];

/**
 * One field, before (the server's) and after (this device's). Names are resolved (a lane's
 * title, municipalities' names); `status` and `timeframe` keep their codes ("in_progress",
 * "2023-Q2") and `budget` its number, for the UI to say in the person's language. null: empty
 * (for `lane`: not yet placed).
 */
export interface FieldChange {
  readonly field: ActivityField;
  readonly before: string | null;
  readonly after: string | null;
}

export interface HeldBackActivity {
  readonly id: string;
  readonly change: 'added' | 'changed' | 'deleted';
  readonly title: string;
  /** Where it is on this device (where it was, for a deletion): a lane's title; null = not yet placed. */
  readonly lane: string | null;
  /** What differs from the server (for an addition: every field that is filled in). */
  readonly fields: readonly FieldChange[];
}

/** Parts of the board other than activities that the kept-aside work also changed. */
export const OTHER_PARTS = ['board', 'lanes', 'municipalities', 'votes', 'facilitation'] as const;
export type OtherPart = (typeof OTHER_PARTS)[number];

export interface HeldBackSummary {
  readonly activities: readonly HeldBackActivity[];
  readonly other: readonly OtherPart[];
  /** The locked lane a refusal was about ("activity … is in a locked lane"), by title, when known. */
  readonly lockedLane: string | null;
}

export interface HeldBackWork {
  /** Unique on this device. */
  readonly id: string;
  /** When it was kept aside (ms since epoch). */
  readonly at: number;
  /** The server's close code and reason. */
  readonly code: number;
  readonly reason: string;
  /** Base64 of a Yjs update: what this device had that the server did not. */
  readonly update: string;
  /** What it would have changed; null until compared with the server's state (after the reload). */
  readonly summary: HeldBackSummary | null;
}

export function newHeldBack(code: number, reason: string, update: Uint8Array, at = Date.now()): HeldBackWork {
  const id = `${at.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return { id, at, code, reason, update: toBase64(update), summary: null };
}

export const heldBackUpdate = (work: HeldBackWork): Uint8Array => fromBase64(work.update);

/**
 * What `work` would change on the server's board `server` (its current state): the server's
 * state plus the kept-aside update, compared with the server's state alone, activity by
 * activity. So a change someone else made meanwhile is never reported as this device's. Also
 * returns the work's update narrowed to exactly what the server does not have.
 */
export function summarize(server: Y.Doc, work: HeldBackWork): HeldBackWork {
  const serverState = Y.encodeStateAsUpdate(server);
  const base = new Y.Doc();
  const merged = new Y.Doc();
  try {
    Y.applyUpdate(base, serverState);
    Y.applyUpdate(merged, serverState);
    Y.applyUpdate(merged, heldBackUpdate(work));
    const before = readBoard(base);
    const after = readBoard(merged);
    const summary: HeldBackSummary = {
      activities: activityChanges(before, after),
      other: OTHER_PARTS.filter((part) => JSON.stringify(otherPart(before, part)) !== JSON.stringify(otherPart(after, part))),
      lockedLane: lockedLaneOf(work.reason, before, after),
    };
    const exact = Y.encodeStateAsUpdate(merged, Y.encodeStateVector(base));
    return { ...work, update: toBase64(exact), summary };
  } finally {
    base.destroy();
    merged.destroy();
  }
}

export const isEmptySummary = (s: HeldBackSummary): boolean => s.activities.length === 0 && s.other.length === 0;

function activityChanges(before: BoardView, after: BoardView): HeldBackActivity[] {
  const out: HeldBackActivity[] = [];
  const describe = (view: BoardView, a: Activity): Record<ActivityField, string | null> => ({
    title: a.title || null,
    lane: laneTitle(view, a.laneId),
    position: a.rank,
    description: a.description ?? null,
    lead: a.leadId === undefined ? null : (view.municipalityById.get(a.leadId)?.name ?? a.leadId),
    partners: a.partners.length === 0 ? null : a.partners.map((id) => view.municipalityById.get(id)?.name ?? id).join(', '),
    timeframe: a.timeframe ?? null,
    status: a.status,
    responsible: a.responsible ?? null,
    budget: a.budget === undefined ? null : String(a.budget),
    fundingSource: a.fundingSource ?? null,
    indicator: a.indicator ?? null,
    notes: a.notes ?? null,
  });
  for (const [id, now] of after.activityById) {
    const was = before.activityById.get(id);
    const fieldsNow = describe(after, now);
    if (!was) {
      // Title and lane head the entry; "planned" is what every new activity is.
      const shown = ACTIVITY_FIELDS.filter((f) => f !== 'title' && f !== 'lane' && f !== 'position');
      const fields = shown.filter((f) => fieldsNow[f] !== null && !(f === 'status' && fieldsNow[f] === 'planned'));
      out.push({ id, change: 'added', title: now.title, lane: fieldsNow.lane, fields: fields.map((field) => ({ field, before: null, after: fieldsNow[field] })) });
      continue;
    }
    const fieldsWas = describe(before, was);
    // A new rank in the same lane is a move within it; in another lane, the lane says it all.
    const changed = ACTIVITY_FIELDS.filter((f) => fieldsWas[f] !== fieldsNow[f] && !(f === 'position' && was.laneId !== now.laneId));
    if (changed.length === 0) continue;
    out.push({
      id,
      change: 'changed',
      title: now.title,
      lane: fieldsNow.lane,
      fields: changed.map((field) => (field === 'position' ? { field, before: null, after: null } : { field, before: fieldsWas[field], after: fieldsNow[field] })),
    });
  }
  for (const [id, was] of before.activityById) {
    if (!after.activityById.has(id)) out.push({ id, change: 'deleted', title: was.title, lane: laneTitle(before, was.laneId), fields: [] });
  }
  return out;
}

function laneTitle(view: BoardView, laneId: string | null): string | null {
  if (laneId === null) return null;
  return [...view.lanes, ...view.archivedLanes].find((l) => l.lane.id === laneId)?.lane.title ?? null;
}

function otherPart(view: BoardView, part: OtherPart): unknown {
  switch (part) {
    case 'board':
      return view.meta;
    case 'lanes':
      return [...view.lanes, ...view.archivedLanes].map((l) => l.lane);
    case 'municipalities':
      return view.municipalities;
    case 'votes':
      return view.votes;
    case 'facilitation':
      return view.facilitation;
  }
}

/** "activity a_1 is in a locked lane": the lane (locked on the server) it was in or went to. */
function lockedLaneOf(reason: string, before: BoardView, after: BoardView): string | null {
  const id = /activity (\S+) is in a locked lane/.exec(reason)?.[1];
  if (id === undefined) return null;
  const lanes = [before, after].map((v) => v.activityById.get(id as never)?.laneId ?? null);
  const all = [...before.lanes, ...before.archivedLanes];
  for (const laneId of lanes) {
    const lane = all.find((l) => l.lane.id === laneId)?.lane;
    if (lane?.locked) return lane.title;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Kept on this device, per board link, until the person dismisses it.

const storageKey = (boardId: string, token: string) => `tabla.heldBack.${boardId}.${tokenTag(token)}`;

const isWork = (v: unknown): v is HeldBackWork => {
  const w = v as Partial<HeldBackWork> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    typeof w.id === 'string' &&
    typeof w.at === 'number' &&
    typeof w.code === 'number' &&
    typeof w.reason === 'string' &&
    typeof w.update === 'string' &&
    (w.summary === null || (typeof w.summary === 'object' && Array.isArray(w.summary.activities) && Array.isArray(w.summary.other)))
  );
};

export function loadHeldBack(boardId: string, token: string): HeldBackWork[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(boardId, token)) ?? '[]');
    return Array.isArray(stored) ? stored.filter(isWork) : [];
  } catch {
    return [];
  }
}

/** Whether it was stored (no storage, or a full one: it lives as long as the page then). */
export function storeHeldBack(boardId: string, token: string, works: readonly HeldBackWork[]): boolean {
  try {
    if (works.length === 0) localStorage.removeItem(storageKey(boardId, token));
    else localStorage.setItem(storageKey(boardId, token), JSON.stringify(works));
    return true;
  } catch {
    return false;
  }
}

/** The download: what was not accepted, readable, with the update for whoever can apply it again. */
export function heldBackJson(boardId: string, work: HeldBackWork): string {
  const { summary } = work;
  return JSON.stringify(
    {
      kind: 'tabla.heldBack',
      version: 1,
      boardId,
      keptAt: new Date(work.at).toISOString(),
      refusal: { code: work.code, reason: work.reason },
      activities: summary?.activities ?? null,
      otherChanges: summary?.other ?? null,
      yjsUpdateBase64: work.update,
    },
    null,
    2,
  );
}

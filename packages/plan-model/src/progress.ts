/**
 * Follow-through [PM30]: coordinators report on an activity with dated progress notes, kept on the
 * card as a history. A note is appended, never overwritten: a coordinator adds one (for its own
 * municipality, on an activity it leads or joins; the general link on any), only the facilitator
 * changes or removes one. The note may also set the activity's status, in the same transaction.
 */
import type * as Y from 'yjs';
import { type ActivityId, type MunicipalityId, randomId } from './ids.js';
import { PlanError } from './operations.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import {
  type Activity,
  type EntryMap,
  isProgressPercent,
  isStatus,
  LIMITS,
  type ProgressRecord,
  readActivity,
  readActivityParties,
  roots,
  type Status,
  writeActivity,
  writeProgressNote,
  existingProgressOf,
} from './schema.js';

export interface ProgressNoteInput {
  readonly text: string;
  /** A whole number 0..100. */
  readonly percent?: number;
  /** Also sets the activity's status. */
  readonly status?: Status;
  /** The writer's municipality (the link's; null = a general link). */
  readonly by: MunicipalityId | null;
  /** When (ms); defaults to now. */
  readonly at?: number;
}

export const newProgressNoteId = (): string => `p_${randomId()}`;

/**
 * Appends a progress note to an activity and, when the note says a status, sets it: one transaction.
 * Throws `PlanError` ('unknown-activity', or 'invalid' for a text over `LIMITS.progressText`, a
 * percent that is not a whole number 0..100, or an activity that already holds `LIMITS.progressNotes`).
 */
export function addProgressNote(doc: Y.Doc, activityId: ActivityId, input: ProgressNoteInput, origin: PlanOrigin = localOrigin): string {
  const entry = roots(doc).activities.get(activityId);
  if (!entry) throw new PlanError('unknown-activity', `unknown-activity: ${activityId}`);
  const text = input.text.trim();
  if (text.length > LIMITS.progressText) throw new PlanError('invalid', `a progress note is at most ${LIMITS.progressText} characters`);
  if (input.percent !== undefined && !isProgressPercent(input.percent)) throw new PlanError('invalid', 'percent must be a whole number from 0 to 100');
  if (input.status !== undefined && !isStatus(input.status)) throw new PlanError('invalid', 'unknown status');
  if ((readActivity(activityId, entry).progress?.length ?? 0) >= LIMITS.progressNotes) {
    throw new PlanError('invalid', `an activity keeps at most ${LIMITS.progressNotes} progress notes`);
  }
  const id = newProgressNoteId();
  const record: ProgressRecord = {
    at: Math.max(0, Math.round(input.at ?? Date.now())),
    by: input.by,
    text,
    ...(input.percent !== undefined ? { percent: input.percent } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
  };
  doc.transact(() => {
    writeProgressNote(entry, id, record);
    if (input.status !== undefined) writeActivity(entry, { status: input.status });
  }, origin);
  return id;
}

/** The last note that gave a percentage, if any. */
export function latestPercent(activity: Pick<Activity, 'progress'>): number | undefined {
  const notes = activity.progress ?? [];
  for (let i = notes.length - 1; i >= 0; i--) if (notes[i]!.percent !== undefined) return notes[i]!.percent;
  return undefined;
}

/** Whether a coordinator speaking for `municipalityId` (null = a general link) may add a note to this activity. */
export const mayReportOn = (activity: Pick<Activity, 'leadId' | 'partners'>, municipalityId: string | null): boolean =>
  municipalityId === null || activity.leadId === municipalityId || activity.partners.includes(municipalityId as MunicipalityId);

/** Ids of the notes `now` holds that `was` did not (either may have no notes at all). */
function addedNotes(was: Y.Map<unknown> | undefined, now: Y.Map<unknown> | undefined): string[] {
  const added: string[] = [];
  now?.forEach((_note, id) => {
    if (!was?.has(id)) added.push(id);
  });
  return added;
}

/**
 * Why a coordinator's change to one activity's progress notes is not allowed (null = allowed)
 * [PM30]: every note it had is still there, unchanged; each new one is signed with the sender's
 * own municipality (`by`, null for a general link), and a municipality reports only on an activity
 * it leads or joins. `was`/`now` are the activity's entries before and after (now exists).
 */
export function progressViolation(wasEntry: EntryMap | undefined, nowEntry: EntryMap, municipalityId: string | null): string | null {
  const was = existingProgressOf(wasEntry);
  const now = existingProgressOf(nowEntry);
  let kept = true;
  // Compared as JSON: the two documents hold equal notes as distinct objects.
  was?.forEach((note, id) => {
    if (kept && JSON.stringify(now?.get(id)) !== JSON.stringify(note)) kept = false;
  });
  if (!kept) return 'progress notes are kept as written: only the facilitator changes or removes one';
  const added = addedNotes(was, now);
  if (added.length === 0) return null;
  for (const id of added) {
    // (Validation has already refused a note that is not a record: reading `by` is exact here.)
    const note = now!.get(id) as ProgressRecord;
    if ((note.by ?? null) !== municipalityId) return 'a progress note is signed with the sender\'s own municipality';
  }
  if (!mayReportOn(readActivityParties(nowEntry), municipalityId)) return 'only a municipality that leads or joins the activity reports on it';
  return null;
}

/**
 * Whether a change to an activity is follow-through only: at least one progress note added, and
 * besides notes only its status changed. A lock (PM18) holds the plan, not its follow-through.
 */
export function isFollowThrough(wasEntry: EntryMap | undefined, nowEntry: EntryMap | undefined, activityId: string): boolean {
  if (!wasEntry || !nowEntry) return false;
  if (addedNotes(existingProgressOf(wasEntry), existingProgressOf(nowEntry)).length === 0) return false;
  const plan = (entry: EntryMap) => {
    const { status: _status, progress: _progress, ...rest } = readActivity(activityId, entry);
    return JSON.stringify(rest);
  };
  return plan(wasEntry) === plan(nowEntry);
}

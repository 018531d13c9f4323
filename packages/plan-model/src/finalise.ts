/**
 * Finalising a plan [PM29]: before the facilitator marks it agreed ("Usaglašeni plan"), every
 * placed activity should say who leads it, when, who is responsible and how success is measured.
 */
import type * as Y from 'yjs';
import type { BoardView } from './board-view.js';
import type { ActivityId, LaneId } from './ids.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { progressOf, roots, writeMeta } from './schema.js';

/** The plan columns an agreed activity must fill. */
export const FINALISE_FIELDS = ['leadId', 'timeframe', 'responsible', 'indicator'] as const;
export type FinaliseField = (typeof FINALISE_FIELDS)[number];

export interface FinaliseGap {
  readonly activityId: ActivityId;
  readonly laneId: LaneId;
  readonly title: string;
  /** What is missing, in `FINALISE_FIELDS` order (never empty). */
  readonly missing: readonly FinaliseField[];
}

/**
 * The gaps of a plan, per placed activity (in a lane on the board: archived lanes and the pool are
 * not part of the plan), in board order. A lead that names a municipality no longer on the board
 * counts as missing; text that is only blanks counts as missing.
 */
export function finaliseProblems(view: Pick<BoardView, 'lanes' | 'municipalityById'>): FinaliseGap[] {
  const gaps: FinaliseGap[] = [];
  const filled = (v: string | undefined) => v !== undefined && v.trim().length > 0;
  for (const { lane, activities } of view.lanes) {
    for (const a of activities) {
      const missing = FINALISE_FIELDS.filter((field) => {
        if (field === 'leadId') return a.leadId === undefined || !view.municipalityById.has(a.leadId);
        return !filled(a[field]);
      });
      if (missing.length > 0) gaps.push({ activityId: a.id, laneId: lane.id, title: a.title, missing });
    }
  }
  return gaps;
}

/**
 * Marks the plan agreed: locks the board (PM18) and gives every activity its map of progress notes
 * (PM30), so the coordinators' first notes never race to create it. One transaction (the facilitator's).
 */
export function agreePlan(doc: Y.Doc, origin: PlanOrigin = localOrigin): void {
  doc.transact(() => {
    const r = roots(doc);
    writeMeta(r.meta, { locked: true });
    for (const entry of r.activities.values()) progressOf(entry);
  }, origin);
}

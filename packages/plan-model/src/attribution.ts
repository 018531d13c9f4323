/**
 * Attribution of coordinators' changes to municipalities. A coordinator's link may be bound
 * to a municipality by the server; what that coordinator does is then attributed to it and
 * cannot be spoofed: the server refuses, with these checks, changes that speak for another.
 */
import type * as Y from 'yjs';
import { progressViolation } from './progress.js';
import { readActivityParties, roots } from './schema.js';

/** Whether a coordinator speaking for `municipalityId` may name other partners of an activity added by `createdBy`. */
export const managesPartners = (createdBy: string | null | undefined, municipalityId: string | null): boolean =>
  (createdBy ?? null) === municipalityId;

/**
 * Why a coordinator's change to these activities is not allowed (empty = allowed).
 * `municipalityId` is the one the sender's link is bound to (null = the general coordinator link).
 * - "Added by" (`createdBy`) is written once, with the activity: the sender's own municipality
 *   (required for a bound link, absent for the general link), never changed afterwards.
 * - Partners and the lead: any municipality may join or leave itself (and take or drop the lead
 *   when it is free or its own); the others are managed by the municipality that added the activity
 *   (for an activity with no `createdBy`, by the general link).
 * - Progress notes (PM30) are append-only: each new one signed with the sender's own municipality,
 *   on an activity it leads or joins (the general link: any); none changed or removed.
 * `before` is the accepted document, `after` the same with the change applied.
 */
export function attributionViolations(
  before: Y.Doc,
  after: Y.Doc,
  activityIds: Iterable<string>,
  municipalityId: string | null,
): string[] {
  const b = roots(before).activities;
  const a = roots(after).activities;
  const problems: string[] = [];
  for (const id of activityIds) {
    const nowEntry = a.get(id);
    if (!nowEntry) continue; // deleted: nothing is said in anyone's name
    const wasEntry = b.get(id);
    // Only who the activity is for is read: the rest of it is not attribution's business.
    const now = readActivityParties(nowEntry);
    const was = wasEntry ? readActivityParties(wasEntry) : null;
    const creator = was ? was.createdBy : now.createdBy;
    // (Validation has already refused a createdBy that is not text: reading it is exact here.)
    if (was ? now.createdBy !== was.createdBy : (now.createdBy ?? null) !== municipalityId) {
      problems.push(`activity ${id}: "added by" must be the sender's own municipality, set once`);
      continue;
    }
    const progress = progressViolation(wasEntry, nowEntry, municipalityId);
    if (progress !== null) {
      problems.push(`activity ${id}: ${progress}`);
      continue;
    }
    if (managesPartners(creator, municipalityId)) continue;
    // The lead ("Nosilac") is a municipality's commitment too: another's can be named or dropped only by the manager.
    const lead = (id: string | undefined) => id === undefined || (municipalityId !== null && id === municipalityId);
    if (was && was.leadId !== now.leadId && !(lead(was.leadId) && lead(now.leadId))) {
      problems.push(`activity ${id}: only the municipality that added it names another lead`);
      continue;
    }
    const before = new Set(was?.partners ?? []);
    const after = new Set(now.partners);
    const changed = [...before, ...after].filter((m) => before.has(m) !== after.has(m));
    const forOthers = changed.filter((m) => m !== municipalityId);
    if (forOthers.length > 0) problems.push(`activity ${id}: partner ${forOthers[0]} can only join or leave by itself`);
  }
  return problems;
}

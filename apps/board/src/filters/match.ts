/**
 * Filtering the board, per person: which activities match a municipality (lead or partner),
 * a status and a text. Pure functions: no React, no Yjs; the filter lives in React state
 * and never in the shared document.
 */
import type { Activity, ActivityId, MunicipalityId, Status } from '@tabla/plan-model';

export interface ActivityFilter {
  /** Lead or partner; null = any municipality. */
  readonly municipalityId: MunicipalityId | null;
  /** null = any status. */
  readonly status: Status | null;
  /** Searched in title, description and notes; blank = no text filter. */
  readonly text: string;
  /** Hide non-matching cards instead of dimming them. */
  readonly onlyMatches: boolean;
}

export const EMPTY_FILTER: ActivityFilter = { municipalityId: null, status: null, text: '', onlyMatches: false };

/** Whether any criterion narrows the board (`onlyMatches` alone does not). */
export function isFilterActive(filter: ActivityFilter): boolean {
  return filter.municipalityId !== null || filter.status !== null || normalizeText(filter.text) !== '';
}

/** Serbian Cyrillic to Latin, so "трнов" finds "Trnovo" and "trnov" finds "Трново". */
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j', к: 'k', л: 'l', љ: 'lj',
  м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'ć', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'č',
  џ: 'dž', ш: 'š',
};

/**
 * Text as compared by the search: lower case, Cyrillic written in Latin, accents stripped
 * (NFD: "č", "ć" -> "c", "š" -> "s", "ž" -> "z"), "đ" written "dj" as in plain-ASCII
 * Bosnian, runs of white space as one space, trimmed.
 */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u0400-\u04ff]/g, (c) => CYRILLIC[c] ?? c)
    .replace(/đ/g, 'dj')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Normalised searchable text of an activity; activities keep their identity while unchanged. */
const searchable = new WeakMap<Activity, string>();

function searchableText(activity: Activity): string {
  let text = searchable.get(activity);
  if (text === undefined) {
    // A line break between fields, so a query cannot match across two of them.
    text = [activity.title, activity.description, activity.notes].filter(Boolean).map((s) => normalizeText(s!)).join('\n');
    searchable.set(activity, text);
  }
  return text;
}

/** A filter prepared once (the query normalised) to test many activities. */
export function activityMatcher(filter: ActivityFilter): (activity: Activity) => boolean {
  const query = normalizeText(filter.text);
  const { municipalityId, status } = filter;
  return (activity) => {
    if (status !== null && activity.status !== status) return false;
    if (municipalityId !== null && activity.leadId !== municipalityId && !activity.partners.includes(municipalityId)) return false;
    if (query !== '' && !searchableText(activity).includes(query)) return false;
    return true;
  };
}

export function matchesFilter(activity: Activity, filter: ActivityFilter): boolean {
  return activityMatcher(filter)(activity);
}

/** Ids of the matching activities, or null when no filter is active (everything matches). */
export function matchingIds(activities: Iterable<Activity>, filter: ActivityFilter): ReadonlySet<ActivityId> | null {
  if (!isFilterActive(filter)) return null;
  const matches = activityMatcher(filter);
  const out = new Set<ActivityId>();
  for (const a of activities) if (matches(a)) out.add(a.id);
  return out;
}

/**
 * One lane's matches, aligned with its activities (null: no filter active). A new array on
 * each call: compare with `sameFlags` to skip renders of lanes whose matches did not change.
 */
export function laneFlags(activities: readonly Activity[], matching: ReadonlySet<ActivityId> | null): readonly boolean[] | null {
  return matching === null ? null : activities.map((a) => matching.has(a.id));
}

export function sameFlags(a: readonly boolean[] | null | undefined, b: readonly boolean[] | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}

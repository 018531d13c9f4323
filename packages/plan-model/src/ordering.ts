import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

/** Fractional-index keys compare as plain strings (code units), never with localeCompare. */
export function compareRanks(a: { rank: string; id: string }, b: { rank: string; id: string }): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isValidKey = (key: string | null): boolean => {
  if (key === null) return true;
  try {
    generateKeyBetween(key, null);
    return true;
  } catch {
    return false;
  }
};

/**
 * A key strictly between `before` and `after` (either may be null = open end).
 * Total: concurrent inserts can leave two items with the same rank, and a document
 * written by someone else may hold a key this library would not produce. Then we
 * ignore the neighbour that makes it impossible rather than fail the user's move.
 */
export function rankBetween(before: string | null, after: string | null): string {
  const lo = isValidKey(before) ? before : null;
  let hi = isValidKey(after) ? after : null;
  if (lo !== null && hi !== null && lo >= hi) hi = null;
  return generateKeyBetween(lo, hi);
}

/**
 * The key for placing an item at `index` of an already sorted list of ranked items
 * (the item being moved must not be in the list).
 */
export function rankAt(sorted: readonly { rank: string }[], index: number): string {
  const i = Math.max(0, Math.min(index, sorted.length));
  const before = sorted[i - 1]?.rank ?? null;
  let j = i;
  // Skip a run of equal ranks after the gap, so there is room between the neighbours.
  while (before !== null && j < sorted.length && sorted[j]!.rank <= before) j++;
  const after = sorted[j]?.rank ?? null;
  return rankBetween(before, after);
}

/** Evenly spaced, short keys for `n` items in order: used to re-space a list whose keys grew long. */
export const evenRanks = (n: number): string[] => generateNKeysBetween(null, null, n);

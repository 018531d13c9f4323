/**
 * Per-caller rate limits of the HTTP API: one sliding window per key, so one caller spending its
 * budget never spends another's (a board's facilitator cannot lock the admin out).
 */

export interface Slot {
  readonly ok: boolean;
  /** Whole seconds until the oldest counted call leaves the window (0 when `ok`). */
  readonly retryAfterSeconds: number;
}

export interface KeyedLimiter {
  /** Counts a call for `key` if it is under the limit. */
  take(key: string): Slot;
  /** Keys with calls in the window (for tests: forgotten keys cost no memory). */
  readonly size: number;
}

/**
 * At most `limit` calls per key in any `windowMs` (a sliding window: exact, and a key holds at most
 * `limit` timestamps). Keys whose calls have all left the window are dropped on the next sweep, so
 * memory follows the callers of the last window, not every caller since start.
 */
export function slidingWindowLimiter(limit: number, windowMs = 60_000, now: () => number = Date.now): KeyedLimiter {
  const callsByKey = new Map<string, number[]>();
  let lastSweep = now();

  const sweep = (t: number) => {
    for (const [key, calls] of callsByKey) if (calls.at(-1)! <= t - windowMs) callsByKey.delete(key);
    lastSweep = t;
  };

  return {
    take(key) {
      const t = now();
      if (t - lastSweep >= windowMs) sweep(t);
      const calls = callsByKey.get(key) ?? [];
      while (calls.length > 0 && calls[0]! <= t - windowMs) calls.shift();
      if (calls.length >= limit) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((calls[0]! + windowMs - t) / 1000)) };
      calls.push(t);
      callsByKey.set(key, calls);
      return { ok: true, retryAfterSeconds: 0 };
    },
    get size() {
      return callsByKey.size;
    },
  };
}

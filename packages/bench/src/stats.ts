/** Small statistics and timing helpers of the benches. */

/** The p-th percentile (nearest rank), NaN for no samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** NaN and infinities become null (JSON has no NaN). */
export const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate` holds (checked every `everyMs`), false after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, everyMs = 2): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Runs `tasks` with at most `limit` at once, results in order. */
export async function inBatches<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += limit) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(limit, count - i) }, (_, j) => task(i + j)))));
  }
  return out;
}

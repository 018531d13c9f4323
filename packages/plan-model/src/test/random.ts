/**
 * A tiny seeded PRNG for reproducible randomized tests (mulberry32: 32-bit state,
 * good enough to drive test scenarios, not for anything secret).
 */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(list: readonly T[]): T => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[int(list.length)]!;
    },
  };
}

/** Seeds to run: PLAN_SEED=1234 runs only that one, else `count` seeds from `first`. */
export function testSeeds(count: number, first = 1): number[] {
  const fixed = process.env.PLAN_SEED;
  if (fixed !== undefined && fixed !== '') {
    const seed = Number(fixed);
    if (!Number.isInteger(seed)) throw new Error(`PLAN_SEED must be an integer, got "${fixed}"`);
    return [seed];
  }
  return Array.from({ length: count }, (_, i) => first + i);
}

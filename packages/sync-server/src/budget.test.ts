import { describe, expect, it } from 'vitest';
import { RefusalBackoff, RefusalLog, TokenBucket } from './budget.js';

describe('budgets', () => {
  it('[R13] a token bucket takes its burst, then its rate; spending may overdraw once, then refuses until refilled', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) expect(bucket.take(1)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    now += 100; // one token back
    expect(bucket.take(1)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    const work = new TokenBucket(1_000, 1_000, () => now);
    expect(work.spent).toBe(false);
    expect(work.spend(5_000)).toBe(true); // the work was done: charged after the fact
    expect(work.spent).toBe(true); // the next spend is refused: said before the work is done
    expect(work.spend(1)).toBe(false);
    now += 4_001;
    expect(work.spent).toBe(false);
    expect(work.spend(1)).toBe(true);
  });

  it('[R18] backoff: free refusals within the window, then a doubling wait up to the cap; a quiet window forgives', () => {
    let now = 0;
    const backoff = new RefusalBackoff({ freeRefusals: 2, windowMs: 10_000, firstWaitMs: 1_000, maxWaitMs: 4_000 }, () => now);
    backoff.refused('k');
    backoff.refused('k');
    expect(backoff.waitFor('k')).toBe(0);
    backoff.refused('k');
    expect(backoff.waitFor('k')).toBe(1_000);
    backoff.refused('k');
    expect(backoff.waitFor('k')).toBe(2_000);
    backoff.refused('k');
    backoff.refused('k');
    expect(backoff.waitFor('k')).toBe(4_000);
    expect(backoff.waitFor('other')).toBe(0);
    now += 20_000;
    expect(backoff.waitFor('k')).toBe(0);
    backoff.refused('k');
    expect(backoff.waitFor('k')).toBe(0);
  });

  it('refusals are logged once per reason and interval, then as counts', () => {
    const written: Record<string, number>[] = [];
    const log = new RefusalLog((counts) => written.push(counts), 60_000);
    expect(log.count('forbidden: x')).toBe(true);
    for (let i = 0; i < 99; i++) expect(log.count('forbidden: x')).toBe(false);
    expect(log.count('tooManyRequests: y')).toBe(true);
    log.flush();
    expect(written).toEqual([{ 'forbidden: x': 99 }]);
    expect(log.count('forbidden: x')).toBe(true);
    log.flush();
  });
});

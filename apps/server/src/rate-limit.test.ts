import { describe, expect, it } from 'vitest';
import { slidingWindowLimiter } from './rate-limit.js';

describe('slidingWindowLimiter', () => {
  it('[R13] allows `limit` calls per key in any window, then says when the next one fits', () => {
    let t = 0;
    const limiter = slidingWindowLimiter(2, 60_000, () => t);
    expect(limiter.take('a').ok).toBe(true);
    t = 10_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(limiter.take('b').ok).toBe(true); // another key, another budget
    t = 60_000; // the first call has left the window
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('forgets keys whose calls have all left the window', () => {
    let t = 0;
    const limiter = slidingWindowLimiter(1, 1_000, () => t);
    for (let i = 0; i < 100; i++) limiter.take(`caller-${i}`);
    expect(limiter.size).toBe(100);
    t = 1_000;
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });
});

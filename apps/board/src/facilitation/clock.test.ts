import { afterEach, describe, expect, it, vi } from 'vitest';
import { offsetFromSamples, ServerClock } from './clock.js';

describe('offsetFromSamples', () => {
  it('takes the server answer as of the middle of the round trip', () => {
    // Sent at 1000, back at 1100 (local); the server said 6050: the server is 5000 ms ahead.
    expect(offsetFromSamples([{ t0: 1000, t1: 1100, server: 6050 }])).toEqual({ offsetMs: 5000, rttMs: 100 });
    // A server behind the local clock: a negative offset.
    expect(offsetFromSamples([{ t0: 10_000, t1: 10_020, server: 7_010 }])).toEqual({ offsetMs: -3000, rttMs: 20 });
  });

  it('uses the fastest round trip', () => {
    const samples = [
      { t0: 0, t1: 400, server: 5300 }, // slow: the answer could be from anywhere in 400 ms -> 5100
      { t0: 1000, t1: 1010, server: 6005 }, // fast -> 5000
      { t0: 2000, t1: 2090, server: 7000 }, // -> 4955
    ];
    expect(offsetFromSamples(samples)).toEqual({ offsetMs: 5000, rttMs: 10 });
  });

  it('ignores samples where the local clock went backwards, and has no estimate without samples', () => {
    expect(offsetFromSamples([])).toBeNull();
    expect(offsetFromSamples([{ t0: 500, t1: 400, server: 0 }])).toBeNull();
    expect(offsetFromSamples([{ t0: 500, t1: 400, server: 0 }, { t0: 0, t1: 50, server: 1025 }])).toEqual({ offsetMs: 1000, rttMs: 50 });
  });
});

describe('ServerClock', () => {
  afterEach(() => vi.useRealTimers());

  /** A server 60 s ahead, answering after `delays[i]` ms of local time. */
  function fakeServer(delays: number[]) {
    let local = 1_000_000;
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(url);
      const delay = delays[calls.length - 1] ?? 10;
      local += delay / 2;
      const now = local + 60_000;
      local += delay / 2;
      return new Response(JSON.stringify({ now }), { status: 200 });
    };
    return { fetch, now: () => local, calls };
  }

  it('measures a few round trips and then reads the server time', async () => {
    const server = fakeServer([300, 20, 80, 40, 500]);
    const clock = new ServerClock({ fetch: server.fetch, now: server.now, samples: 5 });
    expect(clock.synced).toBe(false);
    expect(clock.now()).toBe(server.now()); // the local clock until measured
    const changed = vi.fn();
    clock.subscribe(changed);
    expect(await clock.measure()).toBe(true);
    expect(server.calls).toEqual(Array(5).fill('/api/time'));
    expect(clock.synced).toBe(true);
    expect(clock.offsetMs).toBe(60_000);
    expect(clock.now()).toBe(server.now() + 60_000);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('keeps the last offset when offline, and says so', async () => {
    const server = fakeServer([10, 10]);
    let online = true;
    const clock = new ServerClock({
      fetch: (url) => (online ? server.fetch(url) : Promise.reject(new TypeError('offline'))),
      now: server.now,
      samples: 2,
    });
    expect(await clock.measure()).toBe(true);
    online = false;
    expect(await clock.measure()).toBe(false);
    expect(clock.offsetMs).toBe(60_000);
  });

  it('refreshes every few minutes while retained, and stops when released', async () => {
    vi.useFakeTimers();
    const server = fakeServer([]);
    const clock = new ServerClock({ fetch: server.fetch, now: server.now, samples: 3, refreshMs: 300_000 });
    const release = clock.retain();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(server.calls).toHaveLength(6);
    release();
    await vi.advanceTimersByTimeAsync(900_000);
    expect(server.calls).toHaveLength(6);
  });
});

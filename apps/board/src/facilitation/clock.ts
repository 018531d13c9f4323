/**
 * The server's clock, as seen from here: countdowns in the document are written in server
 * time (ms since epoch), and every laptop's own clock is off by seconds or minutes.
 *
 * A few round trips to GET /api/time; for each, the server's answer is taken to be from the
 * middle of the round trip, and the fastest round trip (the least room for error) wins:
 * offset = serverNow - (t0 + t1) / 2. Refreshed every few minutes (clocks drift, laptops sleep).
 */

export interface ClockSample {
  /** Local time just before the request was sent. */
  readonly t0: number;
  /** Local time just after the answer arrived. */
  readonly t1: number;
  /** The server's clock in the answer. */
  readonly server: number;
}

export interface ClockEstimate {
  /** Add to the local clock to get the server's. */
  readonly offsetMs: number;
  /** The round trip it was measured with: the error is at most half of it. */
  readonly rttMs: number;
}

/** The estimate from the fastest round trip; null without a usable sample. */
export function offsetFromSamples(samples: readonly ClockSample[]): ClockEstimate | null {
  let best: ClockEstimate | null = null;
  for (const { t0, t1, server } of samples) {
    const rttMs = t1 - t0;
    if (!Number.isFinite(rttMs) || rttMs < 0 || !Number.isFinite(server)) continue; // the local clock jumped
    if (best === null || rttMs < best.rttMs) best = { offsetMs: server - (t0 + t1) / 2, rttMs };
  }
  return best;
}

export interface ServerClockOptions {
  readonly url?: string;
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** The local clock. */
  readonly now?: () => number;
  /** Round trips per measurement. */
  readonly samples?: number;
  readonly refreshMs?: number;
  /** After a failed measurement (offline), the next try. */
  readonly retryMs?: number;
}

export class ServerClock {
  private estimate: ClockEstimate | null = null;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private users = 0;
  private measuring: Promise<void> | null = null;
  private readonly url: string;
  private readonly fetchFn: (url: string, init?: RequestInit) => Promise<Response>;
  private readonly localNow: () => number;
  private readonly sampleCount: number;
  private readonly refreshMs: number;
  private readonly retryMs: number;

  constructor(options: ServerClockOptions = {}) {
    this.url = options.url ?? '/api/time';
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.localNow = options.now ?? (() => Date.now());
    this.sampleCount = options.samples ?? 5;
    this.refreshMs = options.refreshMs ?? 5 * 60_000;
    this.retryMs = options.retryMs ?? 15_000;
  }

  /** The server's time now (the local clock until the first measurement). */
  readonly now = (): number => this.localNow() + (this.estimate?.offsetMs ?? 0);

  get offsetMs(): number {
    return this.estimate?.offsetMs ?? 0;
  }

  /** Whether it has been measured (else it is the local clock). */
  get synced(): boolean {
    return this.estimate !== null;
  }

  /** Told when the offset changes. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Keeps measuring while someone uses it; returns the release. */
  retain(): () => void {
    this.users++;
    if (this.users === 1) void this.run();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.users--;
      if (this.users === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  }

  /** One measurement: a few round trips one after the other. False when none succeeded. */
  measure(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const samples: ClockSample[] = [];
      for (let i = 0; i < this.sampleCount; i++) {
        try {
          const t0 = this.localNow();
          const res = await this.fetchFn(this.url, { cache: 'no-store', headers: { accept: 'application/json' } });
          const t1 = this.localNow();
          if (!res.ok) continue;
          const body = (await res.json()) as { now?: unknown };
          if (typeof body.now === 'number') samples.push({ t0, t1, server: body.now });
        } catch {
          break; // offline: try again later
        }
      }
      const estimate = offsetFromSamples(samples);
      if (!estimate) return false;
      const changed = this.estimate === null || Math.abs(estimate.offsetMs - this.estimate.offsetMs) >= 1;
      this.estimate = estimate;
      if (changed) for (const l of [...this.listeners]) l();
      return true;
    };
    return run();
  }

  private async run(): Promise<void> {
    if (this.measuring) return this.measuring;
    this.measuring = (async () => {
      const ok = await this.measure();
      this.measuring = null;
      if (this.users > 0) this.timer = setTimeout(() => void this.run(), ok ? this.refreshMs : this.retryMs);
    })();
    return this.measuring;
  }
}

/** The board app's one clock. */
export const serverClock = new ServerClock();

/** The server's time now, as well as this device knows it. */
export const serverNow = (): number => serverClock.now();

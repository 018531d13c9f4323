/**
 * Budgets of what clients may cost: token buckets (charged by messages, bytes or work) and the
 * backoff of devices and addresses whose changes keep being refused.
 */

/** A token bucket: `rate` per second sustained, up to `burst` at once. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes `n` if they are there; false = over the rate (nothing taken). */
  take(n: number): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /**
   * Spends `n` of work already done: it may overdraw once (the work could not be known before),
   * after which it answers false until the bucket has refilled above zero.
   */
  spend(n: number): boolean {
    this.refill();
    if (this.tokens < 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Whether it is overdrawn now: `spend` would refuse. */
  get spent(): boolean {
    this.refill();
    return this.tokens < 0;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}

/** Buckets per key (an address), bounded: the least recently used one goes first. */
export class BucketTable {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly make: () => TokenBucket,
    private readonly maxKeys = 10_000,
  ) {}

  get(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = this.make();
    this.buckets.set(key, bucket);
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(oldest);
    }
    return bucket;
  }
}

export interface BackoffOptions {
  /** Refusals within `windowMs` before the key has to wait. */
  readonly freeRefusals: number;
  readonly windowMs: number;
  /** The first wait; it doubles with each further refusal, up to `maxWaitMs`. */
  readonly firstWaitMs: number;
  readonly maxWaitMs: number;
  readonly maxKeys?: number;
}

/**
 * Repeated refusals from one device key or address back off: after a few within a window, its
 * new connections are refused (4429) for a doubling wait. One refusal (an honest race) costs nothing.
 */
export class RefusalBackoff {
  private readonly entries = new Map<string, { count: number; firstAt: number; until: number }>();

  constructor(
    private readonly options: BackoffOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the key must still wait (0 = none). */
  waitFor(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  refused(key: string): void {
    const now = this.now();
    const o = this.options;
    let entry = this.entries.get(key);
    if (!entry || now - entry.firstAt > Math.max(o.windowMs, entry.until - entry.firstAt)) entry = { count: 0, firstAt: now, until: 0 };
    this.entries.delete(key);
    entry.count++;
    if (entry.count > o.freeRefusals) entry.until = now + Math.min(o.maxWaitMs, o.firstWaitMs * 2 ** (entry.count - o.freeRefusals - 1));
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= (o.maxKeys ?? 10_000)) break;
      this.entries.delete(oldest);
    }
  }
}

/**
 * Refusals are logged as a count per interval, not a line each: a flood of refusals must not
 * become a flood of log lines. The first of each reason in an interval is logged in full.
 */
export class RefusalLog {
  private counts = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly write: (summary: Record<string, number>) => void,
    private readonly intervalMs = 10_000,
  ) {}

  /** Counts a refusal; true if it is the first of its reason in this interval (log it in full). */
  count(reason: string): boolean {
    const n = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, n);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
    return n === 1;
  }

  /** Writes the counts of refusals beyond the first, if any. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const repeated = Object.fromEntries([...this.counts].filter(([, n]) => n > 1).map(([reason, n]) => [reason, n - 1]));
    this.counts = new Map();
    if (Object.keys(repeated).length > 0) this.write(repeated);
  }
}

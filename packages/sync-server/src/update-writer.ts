import type { BoardStorage, PendingUpdate } from './storage/types.js';

interface Queued extends PendingUpdate {
  resolve(seq: number): void;
  reject(err: unknown): void;
}

/**
 * Groups the appends of one event-loop tick into one storage transaction (no debounce
 * window: durability costs one tick, not seconds). Batches are written one after
 * another, so updates are stored, then applied and relayed, in the order they came.
 */
export class UpdateWriter {
  private queue: Queued[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: BoardStorage,
    private readonly onWrite: (seconds: number, updates: number) => void = () => {},
  ) {}

  /** Resolves with the update's sequence number once it is durable. */
  append(pending: PendingUpdate): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ ...pending, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when everything appended so far has been written (or failed). */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    await this.writing;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.writing = this.writing.then(async () => {
      try {
        const started = performance.now();
        const seqs = await this.storage.appendUpdates(batch);
        this.onWrite((performance.now() - started) / 1000, batch.length);
        batch.forEach((q, i) => q.resolve(seqs[i]!));
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    });
  }
}

import { type BoardStorage, type PendingUpdate, SeqConflictError } from './storage/types.js';

interface Queued extends PendingUpdate {
  resolve(seq: number): void;
  reject(err: unknown): void;
}

/**
 * Groups the appends of one event-loop tick into one storage transaction (no debounce
 * window: durability costs one tick, not seconds). Batches are written one after
 * another, so updates are stored, then applied and relayed, in the order they came.
 *
 * A batch refused for a seq conflict (`expectSeq`: another instance appended first) fails only for
 * the boards in conflict: the rest of the batch is written again at once, as its own transaction.
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
    this.writing = this.writing.then(() => this.write(batch));
  }

  private async write(batch: Queued[]): Promise<void> {
    try {
      const started = performance.now();
      const seqs = await this.storage.appendUpdates(batch);
      this.onWrite((performance.now() - started) / 1000, batch.length);
      batch.forEach((q, i) => q.resolve(seqs[i]!));
    } catch (err) {
      const conflicted = err instanceof SeqConflictError ? new Set(err.boardIds) : null;
      const rest = conflicted ? batch.filter((q) => !conflicted.has(q.boardId)) : [];
      const again = rest.length > 0 && rest.length < batch.length; // each retry leaves out at least one board
      for (const q of batch) if (!again || !rest.includes(q)) q.reject(err);
      if (again) await this.write(rest);
    }
  }
}

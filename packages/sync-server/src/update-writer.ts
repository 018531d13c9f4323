import { type BoardStorage, type PendingUpdate, SeqConflictError } from './storage/types.js';
import { traceChannels, type TracedBatch } from './trace.js';

interface Queued extends PendingUpdate {
  resolve(seq: number): void;
  reject(err: unknown): void;
}

/**
 * Writes in flight at once, each for other boards. A bound, so a slow database meets a few
 * transactions rather than one per board (PostgreSQL's pool has 10 connections).
 */
export const MAX_WRITES_IN_FLIGHT = 4;

/** A write of one board slower than this marks the board slow (see `UpdateWriter.slow`). */
export const SLOW_WRITE_MS = 25;

/**
 * Groups the appends of one event-loop tick into one storage transaction (no debounce
 * window: durability costs one tick, not seconds). A board's updates are stored, then
 * applied and relayed, in the order they came: while one of its writes is in flight, its
 * next appends wait for it. Other boards' appends do not: they go in a write of their own,
 * so a slow write holds up only the boards in it, never the relay of the rest
 * (up to MAX_WRITES_IN_FLIGHT writes at once); and a board whose writes are slow writes alone.
 *
 * With a single-writer storage (`writesAtOnce` 1: SQLite) there is one write at a time, and it takes
 * every board that is ready: the fewest commits, since a second transaction would only wait behind
 * the first (a slow board cannot be kept apart there: it shares the one writer anyway).
 *
 * A batch refused for a seq conflict (`expectSeq`: another instance appended first) fails only for
 * the boards in conflict: the rest of the batch is written again at once, as its own transaction.
 */
export class UpdateWriter {
  /** Appends not yet handed to storage, by board, each board's in arrival order. */
  private readonly queued = new Map<string, Queued[]>();
  /** Boards with a write in flight. */
  private readonly busy = new Set<string>();
  /**
   * Boards whose last write alone took over SLOW_WRITE_MS: they keep writing alone, so a board on a
   * slow disk (or with huge updates) never shares, and holds up, another board's write. A fast
   * write clears it.
   */
  private readonly slow = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Settles with each append still unanswered (for `drain`). */
  private readonly unanswered = new Set<Promise<unknown>>();
  private scheduled = false;

  constructor(
    private readonly storage: BoardStorage,
    private readonly onWrite: (seconds: number, updates: number) => void = () => {},
    /** Default: the storage's `writesAtOnce`, else MAX_WRITES_IN_FLIGHT. */
    private readonly writesAtOnce?: number,
  ) {}

  private get maxWritesInFlight(): number {
    return this.writesAtOnce ?? this.storage.writesAtOnce ?? MAX_WRITES_IN_FLIGHT;
  }

  /** Resolves with the update's sequence number once it is durable. */
  append(pending: PendingUpdate): Promise<number> {
    const stored = new Promise<number>((resolve, reject) => {
      const queued: Queued = { ...pending, resolve, reject };
      const board = this.queued.get(pending.boardId);
      if (board) board.push(queued);
      else this.queued.set(pending.boardId, [queued]);
      this.schedule();
    });
    const answered: Promise<unknown> = stored.then(
      () => this.unanswered.delete(answered),
      () => this.unanswered.delete(answered),
    );
    this.unanswered.add(answered);
    return stored;
  }

  /** Resolves when everything appended so far has been written (or failed). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.unanswered);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Writes what is queued for every board without a write in flight: the boards whose last write was
   * slow each alone, the rest together in one batch.
   */
  private flush(): void {
    this.scheduled = false;
    const ready = [...this.queued.keys()].filter((boardId) => !this.busy.has(boardId));
    if (this.maxWritesInFlight === 1) {
      if (ready.length > 0 && this.inFlight.size === 0) this.start(ready);
      return;
    }
    const together = ready.filter((boardId) => !this.slow.has(boardId));
    if (together.length > 0 && this.inFlight.size < this.maxWritesInFlight) this.start(together);
    for (const boardId of ready) {
      if (this.inFlight.size >= this.maxWritesInFlight) break; // the next write to finish flushes again
      if (this.slow.has(boardId)) this.start([boardId]);
    }
  }

  private start(boards: readonly string[]): void {
    const batch = boards.flatMap((boardId) => {
      const updates = this.queued.get(boardId)!;
      this.queued.delete(boardId);
      this.busy.add(boardId);
      return updates;
    });
    const started = performance.now();
    const write: Promise<void> = this.write(batch).finally(() => {
      this.inFlight.delete(write);
      for (const boardId of boards) this.busy.delete(boardId);
      // Only a board written alone is judged: a slow batch of many says nothing about any one of
      // them (marking them all would split the next busy tick into one transaction each).
      if (boards.length === 1) {
        if (performance.now() - started > SLOW_WRITE_MS) this.slow.add(boards[0]!);
        else this.slow.delete(boards[0]!);
      }
      // What waited for these boards (or for a free slot) goes now, in a later tick.
      if (this.queued.size > 0) this.schedule();
    });
    this.inFlight.add(write);
  }

  private async write(batch: Queued[]): Promise<void> {
    try {
      const traced = traceChannels.writing.hasSubscribers || traceChannels.written.hasSubscribers ? { updates: batch.map((q) => q.update) } : null;
      if (traced) traceChannels.writing.publish(traced satisfies TracedBatch);
      const started = performance.now();
      const seqs = await this.storage.appendUpdates(batch);
      this.onWrite((performance.now() - started) / 1000, batch.length);
      if (traced) traceChannels.written.publish(traced);
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

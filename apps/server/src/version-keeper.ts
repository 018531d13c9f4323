/**
 * Automatic versions: saved at the moments that matter (a vote revealed, a lane or the board
 * locked, the timer ended) and at most hourly while a board changes. The sync server tells the
 * keeper about every board that loads and every stored update (`onDocumentChanged`); the keeper
 * reads what the moments depend on (plan-model `readVersionSignals`: votes, lane locks, the board
 * lock, the timer; never the activities, so a busy board costs O(lanes + votes) per turn) once per
 * event-loop turn and compares it with what it read before (`versionMoments`).
 *
 * Bounded: one automatic version per moment kind per board per `minGapMs` (a facilitator toggling a
 * lock cannot fill the disk). Starting points live in memory: after a restart, the first hourly
 * version comes an hour after the board's first change.
 *
 * Several instances watch a loaded board at once (scale-out): each version is saved under an id made
 * of the moment and its time slot (`autoVersionId`), the same on every instance, so storage keeps
 * the first one saved and the others find it there.
 */
import type * as Y from 'yjs';
import { AUTO_VERSION_NAMES, readVersionSignals, type VersionMoment, versionMoments, type VersionSignals } from '@tabla/plan-model';

/**
 * The id of an automatic version: the moment and its slot (the minute of a lock or a reveal, the hour
 * of an hourly version, the end of a timer), so every instance that sees the moment names it alike.
 */
export function autoVersionId(moment: VersionMoment, slot: number): string {
  return `auto_${moment}_${slot}`;
}

export interface VersionKeeperOptions {
  /** Saves an automatic version of the board as it is now, under `id` unless the board already has it (`saveBoardVersion`). */
  readonly save: (boardId: string, moment: VersionMoment, name: string, id: string) => Promise<unknown>;
  readonly onError?: (boardId: string, err: unknown) => void;
  readonly now?: () => number;
  /** While a board changes, a version at least this often. Default one hour. */
  readonly hourlyMs?: number;
  /** At most one automatic version per moment kind and board in this time. Default one minute. */
  readonly minGapMs?: number;
}

interface Watched {
  signals: VersionSignals | null;
  doc: Y.Doc | null;
  pending: boolean;
  /** When the hourly clock started: the first change seen, or the last hourly version. */
  hourlyFrom: number | null;
  readonly lastSaved: Map<VersionMoment, number>;
  timer: { endsAt: number; handle: ReturnType<typeof setTimeout> } | null;
}

export class VersionKeeper {
  readonly #boards = new Map<string, Watched>();
  readonly #save: VersionKeeperOptions['save'];
  readonly #onError: NonNullable<VersionKeeperOptions['onError']>;
  readonly #now: () => number;
  readonly #hourlyMs: number;
  readonly #minGapMs: number;
  #closed = false;
  /** Saves in flight, so tests and shutdown can wait for them. */
  readonly #saving = new Set<Promise<unknown>>();

  constructor(options: VersionKeeperOptions) {
    this.#save = options.save;
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#hourlyMs = options.hourlyMs ?? 3_600_000;
    this.#minGapMs = options.minGapMs ?? 60_000;
  }

  /** For `SyncServerOptions.onDocumentChanged`: the board loaded, or applied a stored update. */
  readonly documentChanged = (boardId: string, doc: Y.Doc): void => {
    if (this.#closed) return;
    let board = this.#boards.get(boardId);
    if (!board) {
      board = { signals: null, doc: null, pending: false, hourlyFrom: null, lastSaved: new Map(), timer: null };
      this.#boards.set(boardId, board);
    }
    board.doc = doc;
    if (board.signals === null) {
      // The starting point (the board as loaded): nothing to compare with yet.
      this.#look(boardId, board, false);
      return;
    }
    if (board.pending) return;
    board.pending = true;
    // Once per turn: the updates of one storage write arrive together.
    setImmediate(() => {
      board.pending = false;
      if (!this.#closed) this.#look(boardId, board, true);
    });
  };

  /** Waits for the versions being saved (tests; shutdown). */
  async settled(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#saving.size > 0) await Promise.allSettled([...this.#saving]);
  }

  close(): void {
    this.#closed = true;
    for (const board of this.#boards.values()) if (board.timer) clearTimeout(board.timer.handle);
    this.#boards.clear();
  }

  #look(boardId: string, board: Watched, changed: boolean): void {
    const doc = board.doc;
    if (!doc) return;
    const before = board.signals;
    const after = readVersionSignals(doc);
    board.signals = after;
    const now = this.#now();
    if (changed && before) {
      for (const moment of versionMoments(before, after)) this.#saveOnce(boardId, board, moment, now, Math.floor(now / this.#minGapMs));
      if (board.hourlyFrom === null) board.hourlyFrom = now;
      else if (now - board.hourlyFrom >= this.#hourlyMs && this.#saveOnce(boardId, board, 'hourly', now, Math.floor(now / this.#hourlyMs))) board.hourlyFrom = now;
    }
    this.#watchTimer(boardId, board, after, now);
  }

  /** Saves one automatic version of this kind unless one was saved within `minGapMs`; true if it did. */
  #saveOnce(boardId: string, board: Watched, moment: VersionMoment, now: number, slot: number): boolean {
    const last = board.lastSaved.get(moment);
    if (last !== undefined && now - last < this.#minGapMs) return false;
    board.lastSaved.set(moment, now);
    const saving = this.#save(boardId, moment, AUTO_VERSION_NAMES[moment], autoVersionId(moment, slot))
      .catch((err: unknown) => this.#onError(boardId, err))
      .finally(() => this.#saving.delete(saving));
    this.#saving.add(saving);
    return true;
  }

  /** A running timer that ends in the future gets a version when it ends, if it still runs then. */
  #watchTimer(boardId: string, board: Watched, signals: VersionSignals, now: number): void {
    const endsAt = signals.timerEndsAt;
    if (board.timer?.endsAt === endsAt) return;
    if (board.timer) clearTimeout(board.timer.handle);
    board.timer = null;
    if (endsAt === null || endsAt <= now) return;
    const handle = setTimeout(() => {
      board.timer = null;
      if (this.#closed || board.signals?.timerEndsAt !== endsAt) return;
      this.#saveOnce(boardId, board, 'timerEnded', this.#now(), endsAt);
    }, endsAt - now);
    handle.unref?.();
    board.timer = { endsAt, handle };
  }
}

/**
 * A board's first fresh clients are answered from what storage read, while the board's document
 * is still being built.
 *
 * A cold load spends most of its time building the document (applying the snapshot and the log
 * after it, tens of ms for a board with a long history in a process whose code is still cold),
 * then encoding it again for the first client that has nothing. That client (sync step 1 with an
 * empty state vector) needs neither: what it needs is exactly what storage has just read. It gets
 * the snapshot as an update, then the log after it merged into one update as sync step 2. A
 * y-websocket client counts itself synced at step 2, so it is synced with the whole board, as if
 * the room had answered; the room joins it later (room.ts `join` sends it whatever was applied
 * after the state it was given). Should the board then fail to build (a stored update that does not
 * apply), the client, synced already, is closed with 4503 like every other client of that board.
 *
 * A log longer than `MAX_MERGED_TAIL` is not merged here (merging costs about as much as applying
 * it): such a client waits for the room, as every client with a state of its own does.
 */
import * as Y from 'yjs';
import { decodeMessage, encodeSyncStep2, encodeUpdate } from '@tabla/sync-protocol';
import type { StoredState } from './storage/types.js';

/**
 * Updates after the snapshot merged for an early answer at most: the merge blocks the event loop
 * (300 updates 10-20 ms, measured), and a board is compacted every 300 (a crash leaves about that).
 */
export const MAX_MERGED_TAIL = 500;

/** A state vector that names no client: the sender has nothing yet. */
export const isEmptyStateVector = (stateVector: Uint8Array): boolean => stateVector.length === 1 && stateVector[0] === 0;

/** Whether a client's frame is sync step 1 from a client that has nothing (a malformed frame is not: the room refuses it). */
export function isColdSyncStep1(frame: Uint8Array): boolean {
  try {
    const message = decodeMessage(frame);
    return message.kind === 'sync-step-1' && isEmptyStateVector(message.stateVector);
  } catch {
    return false;
  }
}

export class ColdAnswer {
  /** The frames once built; null when the log did not merge (tried once per load). */
  private built: readonly Uint8Array[] | null | undefined;

  private constructor(private readonly state: StoredState) {}

  /** The answer for a board as storage read it, or null when its log is too long to merge here. */
  static of(state: StoredState): ColdAnswer | null {
    return state.updates.length <= MAX_MERGED_TAIL ? new ColdAnswer(state) : null;
  }

  /**
   * The frames, built on first use and shared by every cold client of this load: the snapshot as
   * an update (not synced yet), then the log merged as sync step 2. Null if the log does not merge
   * (stored updates were judged; should one still not, the room answers).
   */
  frames(): readonly Uint8Array[] | null {
    if (this.built !== undefined) return this.built;
    const { snapshot, updates } = this.state;
    let tail: Uint8Array;
    try {
      tail = updates.length === 0 ? emptyUpdate : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates as Uint8Array[]);
    } catch {
      return (this.built = null);
    }
    if (!snapshot) this.built = [encodeSyncStep2(tail)];
    else if (updates.length === 0) this.built = [encodeSyncStep2(snapshot)];
    else this.built = [encodeUpdate(snapshot), encodeSyncStep2(tail)];
    return this.built;
  }
}

/** An update with no structs and no deletions. */
const emptyUpdate = Uint8Array.of(0, 0);

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
 * after the state it was given).
 *
 * A log longer than `MAX_MERGED_TAIL` is not merged here (merging costs about as much as applying
 * it): such a client waits for the room, as every client with a state of its own does.
 */
import * as Y from 'yjs';
import { decodeMessage, encodeSyncStep2, encodeUpdate } from '@tabla/sync-protocol';
import type { StoredState } from './storage/types.js';

/** Updates after the snapshot merged for an early answer at most (300 merge in ~10-20 ms, measured). */
export const MAX_MERGED_TAIL = 1_000;

/** What a sync step 1 answer with the whole board is charged at least (a cold client asks once). */
export const FULL_ANSWER_MIN_WORK = 256 * 1024;

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
  private built: readonly Uint8Array[] | null = null;

  private constructor(private readonly state: StoredState) {}

  /** The answer for a board as storage read it, or null when its log is too long to merge here. */
  static of(state: StoredState): ColdAnswer | null {
    return state.updates.length <= MAX_MERGED_TAIL ? new ColdAnswer(state) : null;
  }

  /** The stored seq the answer holds the board through. */
  get seq(): number {
    return this.state.lastSeq;
  }

  /**
   * The frames, built on first use and shared by every cold client of this load: the snapshot as
   * an update (not synced yet), then the log merged as sync step 2. Null if the log does not merge.
   */
  frames(): readonly Uint8Array[] | null {
    if (this.built) return this.built;
    const { snapshot, updates } = this.state;
    let tail: Uint8Array;
    try {
      tail = updates.length === 0 ? emptyUpdate : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates as Uint8Array[]);
    } catch {
      return null; // stored updates were judged; should one still not merge, the room answers
    }
    if (!snapshot) this.built = [encodeSyncStep2(tail)];
    else if (updates.length === 0) this.built = [encodeSyncStep2(snapshot)];
    else this.built = [encodeUpdate(snapshot), encodeSyncStep2(tail)];
    return this.built;
  }
}

const emptyUpdate = Y.encodeStateAsUpdate(new Y.Doc());

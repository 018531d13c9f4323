/**
 * The pipe between server instances that share boards (ARCHITECTURE.md "Storage": PostgreSQL is the
 * record, Redis Streams the pipe). An update is committed with its per-board seq before it is
 * relayed and then published here; every instance that has the board loaded applies what it hears
 * in seq order and fills any gap from storage (room.ts). So the pipe may drop, repeat, delay or
 * lose everything: it only makes other instances hear of a change sooner than their periodic
 * check of storage would.
 *
 * Presence (awareness) crosses instances on the same pipe, best effort: it is ephemeral, each
 * instance times remote states out on its own (30 s), and clients renew theirs every 15 s.
 */
import type { ClientOwner } from '../storage/types.js';

/** One stored update, as published by the instance that stored it. */
export interface FanoutEntry {
  /** The update's seq on its board (per-board, gap-free: see `DocumentLog.seqsPerBoard`). */
  readonly seq: number;
  readonly update: Uint8Array;
  /** Client ids this update bound (first binding wins), so every instance's gate knows them. */
  readonly owners: readonly ClientOwner[];
  /** The instance that stored it (an instance skips its own). */
  readonly instanceId: string;
}

/** Presence of one board, between instances. */
export type PresenceMessage =
  | {
      readonly kind: 'states';
      readonly instanceId: string;
      /** An awareness update (y-protocols encoding) of presence ids whose connections are on that instance. */
      readonly frame: Uint8Array;
      /** Who speaks for each of those ids (device key hash, '' for keyless clients). */
      readonly speakers: readonly ClientOwner[];
    }
  /** An instance that just loaded the board asks the others for their connections' presence. */
  | { readonly kind: 'query'; readonly instanceId: string };

export interface FanoutHandlers {
  /** An update another instance (or this one) stored; called in stream order per board. Never throws. */
  onUpdate(boardId: string, entry: FanoutEntry): void;
  onPresence(boardId: string, message: PresenceMessage): void;
  /**
   * The pipe may have missed entries of these boards (it was down, or the position was noted
   * late): catch up from storage. Null = every board.
   */
  onCatchUp(boardIds: readonly string[] | null): void;
}

export interface FanoutStatus {
  /** 'disabled': one instance, no pipe; 'ready': connected; 'down': not connected (retrying). */
  readonly state: 'disabled' | 'ready' | 'down';
  /** What went wrong last, while down. */
  readonly error?: string;
  /** Entries not published while down (other instances catch up from storage). */
  readonly unpublished: number;
  /** Entries read that were malformed and skipped. */
  readonly malformed: number;
}

export interface Fanout {
  /** False for `NoFanout` (one instance): the rooms then need no seq bookkeeping. */
  readonly enabled: boolean;
  /** This instance, unique among those sharing the pipe. */
  readonly instanceId: string;
  /** Called once by the SyncServer. */
  start(handlers: FanoutHandlers): void;
  /**
   * Follows a board from now on: resolves once the stream position is noted, so everything
   * published after it is heard (call it BEFORE reading the board's stored state). Never rejects:
   * if the pipe is down, following starts when it is back, with `onCatchUp` for the board.
   */
  subscribe(boardId: string): Promise<void>;
  unsubscribe(boardId: string): void;
  /** Publishes a stored update, fire and forget: never throws, never waits for the pipe. */
  publishUpdate(boardId: string, entry: FanoutEntry): void;
  publishPresence(boardId: string, message: PresenceMessage): void;
  status(): FanoutStatus;
  close(): Promise<void>;
}

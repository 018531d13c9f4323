/**
 * Named points on an update's way through the server, published on `node:diagnostics_channel` for
 * tracing tools: the bench's wall-clock breakdown of a relayed update (packages/bench
 * `trace-preload.ts`), or an APM. Without a subscriber a point costs one boolean check.
 *
 * Messages carry the update's own bytes object: its identity ties one update's points together
 * (a subscriber must neither change nor keep it). The commit point is published where SQLite runs,
 * on the storage's worker thread for `SqliteThreadStorage`: subscribe there to hear it. A board shared
 * with other instances (a fan-out) publishes the storage points only.
 */
import { channel } from 'node:diagnostics_channel';

/** A peer's update, at one point of its way. */
export interface TracedUpdate {
  readonly update: Uint8Array;
}

/** The updates of one storage write, or of one relay. */
export interface TracedBatch {
  readonly updates: readonly Uint8Array[];
}

/** One SQLite transaction appending `count` updates, timed where it ran (commit and fsync included). */
export interface TracedCommit {
  readonly count: number;
  readonly ms: number;
}

export const traceChannels = {
  /** An update frame decoded, before it is judged (`TracedUpdate`). */
  received: channel('tabla:update:received'),
  /** The update accepted and handed to the writer (`TracedUpdate`). */
  accepted: channel('tabla:update:accepted'),
  /** A storage write starts (`TracedBatch`). */
  writing: channel('tabla:storage:writing'),
  /** The write's updates are durable (`TracedBatch`: the same message object as its `writing`). */
  written: channel('tabla:storage:written'),
  /** SQLite's transaction for one write (`TracedCommit`). */
  committed: channel('tabla:sqlite:committed'),
  /** Stored updates applied to the board and sent to its connections (`TracedBatch`). */
  relayed: channel('tabla:update:relayed'),
} as const;

/**
 * An in-process pipe for several SyncServers in one process (tests, benchmarks): the same contract
 * as the Redis pipe, with knobs for what a real pipe does wrong. Entries are delivered on a later
 * turn of the event loop, per instance, in publish order; `pause` holds an instance's delivery (a
 * lagging reader), `drop` loses the next entries (a crash between commit and publish, a trimmed
 * stream), `flush` forgets every stream (Redis restarted empty).
 */
import { randomBytes } from 'node:crypto';
import type { Fanout, FanoutEntry, FanoutHandlers, FanoutStatus, PresenceMessage } from './types.js';

export class MemoryFanoutHub {
  private readonly instances = new Set<MemoryFanout>();
  /** The next `n` published entries are lost (for every instance). */
  dropNext = 0;

  /** A pipe end for one SyncServer. */
  instance(instanceId = `mem-${randomBytes(4).toString('hex')}`): MemoryFanout {
    const instance = new MemoryFanout(this, instanceId);
    this.instances.add(instance);
    return instance;
  }

  /** @internal */
  publish(from: MemoryFanout, boardId: string, deliver: (to: MemoryFanout) => void): void {
    if (this.dropNext > 0) {
      this.dropNext--;
      return;
    }
    for (const to of this.instances) if (to !== from && to.follows(boardId)) to.enqueue(() => deliver(to));
  }

  /** @internal */
  publishPresence(from: MemoryFanout, boardId: string, deliver: (to: MemoryFanout) => void): void {
    for (const to of this.instances) if (to !== from && to.follows(boardId)) to.enqueue(() => deliver(to));
  }

  /** @internal */
  remove(instance: MemoryFanout): void {
    this.instances.delete(instance);
  }
}

export class MemoryFanout implements Fanout {
  readonly enabled = true;
  private handlers: FanoutHandlers | null = null;
  private readonly boards = new Set<string>();
  private readonly queue: (() => void)[] = [];
  private scheduled = false;
  private paused = false;
  private closed = false;
  /** Entries this instance published. */
  published = 0;

  constructor(
    private readonly hub: MemoryFanoutHub,
    readonly instanceId: string,
  ) {}

  start(handlers: FanoutHandlers): void {
    this.handlers = handlers;
  }

  follows(boardId: string): boolean {
    return !this.closed && this.boards.has(boardId);
  }

  async subscribe(boardId: string): Promise<void> {
    this.boards.add(boardId);
  }

  unsubscribe(boardId: string): void {
    this.boards.delete(boardId);
  }

  publishUpdate(boardId: string, entry: FanoutEntry): void {
    if (this.closed) return;
    this.published++;
    const copy: FanoutEntry = { ...entry, update: entry.update.slice(), owners: [...entry.owners] };
    this.hub.publish(this, boardId, (to) => to.handlers?.onUpdate(boardId, copy));
  }

  publishPresence(boardId: string, message: PresenceMessage): void {
    if (this.closed) return;
    this.hub.publishPresence(this, boardId, (to) => to.handlers?.onPresence(boardId, message));
  }

  /** Holds delivery to this instance (a lagging reader) until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Forgets what is queued for this instance (it missed those entries), then tells it to catch up, as after a reconnect. */
  lose(): void {
    this.queue.length = 0;
    this.handlers?.onCatchUp(null);
  }

  /** @internal */
  enqueue(deliver: () => void): void {
    this.queue.push(deliver);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.paused) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (!this.paused && !this.closed && this.queue.length > 0) this.queue.shift()!();
    });
  }

  status(): FanoutStatus {
    return { state: this.closed ? 'down' : 'ready', unpublished: 0, malformed: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.hub.remove(this);
  }
}

/**
 * "Have my changes reached the server?", as bookkeeping: local changes are counted, each
 * flush sent covers the changes made before it, and the server's answer to a flush (sent only
 * once everything this connection sent before it is stored) confirms them. No timers, no
 * network: BoardSession drives it.
 */
export type SavedState = 'saved' | 'saving' | 'unsaved-offline';

export class SaveTracker {
  /** Local changes so far (a count, not the changes). */
  private changes: number;
  /** Changes confirmed stored by an answered flush. */
  private confirmed = 0;
  /** Changes covered by the flushes sent on the current connection. */
  private covered = 0;
  private nextFlush = 1;
  /** Flushes sent on the current connection and not yet answered: n -> changes covered. */
  private readonly inFlight = new Map<number, number>();

  /**
   * `pendingEarlier`: the changes this device kept from an earlier visit that were never
   * confirmed (a count; `true` for some, of an unknown number).
   */
  constructor(pendingEarlier: number | boolean = 0) {
    this.changes = typeof pendingEarlier === 'number' ? Math.max(0, Math.floor(pendingEarlier)) : pendingEarlier ? 1 : 0;
  }

  /** Some local change has not been confirmed stored by the server. */
  get dirty(): boolean {
    return this.confirmed < this.changes;
  }

  /** How many local changes the server has not confirmed stored (each a transaction: a drop, a save…). */
  get pending(): number {
    return this.changes - this.confirmed;
  }

  localChange(): void {
    this.changes++;
  }

  /** A flush would confirm something no flush in flight covers. */
  get needsFlush(): boolean {
    return this.covered < this.changes;
  }

  /**
   * Call when sending a flush, after every change so far was sent on the connection (the
   * provider sends each change at once, and a reconnect's sync sends all of them): returns n.
   */
  flushSent(): number {
    const n = this.nextFlush++;
    this.inFlight.set(n, this.changes);
    this.covered = this.changes;
    return n;
  }

  /** The server answered flush n. False for an n this connection did not send (ignored). */
  acked(n: number): boolean {
    const covers = this.inFlight.get(n);
    if (covers === undefined) return false;
    for (const k of this.inFlight.keys()) if (k <= n) this.inFlight.delete(k);
    this.confirmed = Math.max(this.confirmed, covers);
    return true;
  }

  /** The connection closed: its unanswered flushes never will be; the next sync sends everything again. */
  connectionLost(): void {
    this.inFlight.clear();
    this.covered = this.confirmed;
  }

  state(connected: boolean): SavedState {
    if (!this.dirty) return 'saved';
    return connected ? 'saving' : 'unsaved-offline';
  }
}

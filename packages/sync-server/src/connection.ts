import type { Role } from '@tabla/plan-model';
import type { CloseCode } from '@tabla/sync-protocol';
import type { TokenBucket } from './budget.js';

/** What the core needs from a WebSocket; `ws`'s WebSocket satisfies it. */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'pong', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

const OPEN = 1;

/** What an answer holding the board is charged at least (see `chargeAnswer`). */
export const FULL_ANSWER_MIN_WORK = 256 * 1024;
/** The reason a connection is refused when `chargeAnswer` says no. */
export const TOO_MANY_ANSWERS = 'too much work: asked for the board too often';
/** The reason a connection is refused when its updates have spent its work budget. */
export const TOO_MUCH_WORK = 'too much work: updates too large or too many';

/** What one connection may cost: messages, presence changes and work (bytes read, written or walked). */
export interface ConnectionBudgets {
  readonly messages: TokenBucket;
  readonly presence: TokenBucket;
  readonly work: TokenBucket;
  /** Shared by every connection from the same address: reconnecting does not refill it. */
  readonly addressWork: TokenBucket;
}

export interface ConnectionInit {
  readonly id: string;
  readonly socket: SocketLike;
  readonly boardId: string;
  readonly role: Role;
  /** The municipality the link is bound to (a municipality's coordinator link), or null. */
  readonly municipalityId: string | null;
  /** sha-256 of the device's client key ('' for a client without one): who may extend which Yjs client ids. */
  readonly keyHash: string;
  readonly ip: string;
  readonly maxBufferedBytes: number;
  readonly budgets: ConnectionBudgets;
}

/** One client on one board, with the role (and municipality, if bound) its token granted. */
export class Connection {
  readonly id: string;
  readonly socket: SocketLike;
  readonly boardId: string;
  readonly role: Role;
  /** Set by the server from the token record (see `Access`), never by the client. */
  readonly municipalityId: string | null;
  readonly keyHash: string;
  readonly ip: string;
  /** Presence ids this connection has announced, removed when it leaves. */
  readonly awarenessIds = new Set<number>();
  /** Missed presence broadcasts while it was behind: it gets the whole picture when it catches up. */
  private missedPresence = false;
  private alive = true;
  private isClosed = false;
  /**
   * Settles once every update this connection sent so far has been written: true if all were
   * stored, false if one was not (the connection is then closed, and no flush is answered).
   */
  private stored: Promise<boolean> = Promise.resolve(true);
  private readonly maxBufferedBytes: number;
  private readonly budgets: ConnectionBudgets;

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.socket = init.socket;
    this.boardId = init.boardId;
    this.role = init.role;
    this.municipalityId = init.municipalityId;
    this.keyHash = init.keyHash;
    this.ip = init.ip;
    this.maxBufferedBytes = init.maxBufferedBytes;
    this.budgets = init.budgets;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Takes one message from the bucket; false = over the rate. */
  takeMessage(): boolean {
    return this.budgets.messages.take(1);
  }

  takePresence(): boolean {
    return this.budgets.presence.take(1);
  }

  /**
   * Charges work already done for this connection (it may overdraw once); false when the
   * connection, or its address, has spent its budget: it is then refused.
   */
  charge(units: number): boolean {
    const own = this.budgets.work.spend(units);
    const address = this.budgets.addressWork.spend(units);
    return own && address;
  }

  /** Whether this connection, or its address, has spent its work budget: the next `charge` is refused. */
  get outOfWork(): boolean {
    return this.budgets.work.spent || this.budgets.addressWork.spent;
  }

  /**
   * Charges an answer of `bytes` that holds the board (or what it lacks): it costs O(board) whatever
   * its size (the whole store walked, the whole delete set written), so it is charged at least
   * FULL_ANSWER_MIN_WORK: a connection asking again and again gets a few dozen at once, then a few a second.
   */
  chargeAnswer(bytes: number): boolean {
    return this.charge(Math.max(bytes, FULL_ANSWER_MIN_WORK));
  }

  /** Whether more unsent data waits than `bytes`. */
  isBehind(bytes: number): boolean {
    return this.socket.bufferedAmount > bytes;
  }

  /**
   * Whether to send it a presence broadcast now: not while it is behind (`skipBytes` unsent), and
   * `'whole'` once it catches up after missing some (it needs everyone's state, not the change).
   */
  presenceDue(skipBytes: number): 'change' | 'whole' | 'none' {
    if (this.isBehind(skipBytes)) {
      this.missedPresence = true;
      return 'none';
    }
    if (!this.missedPresence) return 'change';
    this.missedPresence = false;
    return 'whole';
  }

  noteAwareness(present: readonly number[], gone: readonly number[]): void {
    for (const id of present) this.awarenessIds.add(id);
    for (const id of gone) this.awarenessIds.delete(id);
  }

  /** Adds a write the updates received from now on come after (see `whenStored`). */
  trackWrite(write: Promise<boolean>): void {
    this.stored = Promise.all([this.stored, write]).then(([before, now]) => before && now);
  }

  /** What a flush waits for: the writes of every update this connection sent before it. */
  whenStored(): Promise<boolean> {
    return this.stored;
  }

  /** Sends a frame; a client that does not read (buffer over the cap) is dropped, not buffered without bound. */
  send(frame: Uint8Array): void {
    if (this.isClosed || this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) return this.terminate();
    this.socket.send(frame, this.afterSend);
  }

  /** One callback for every send (a relay to 200 clients allocates no closure per client). */
  private readonly afterSend = (err?: Error): void => {
    if (err) this.close(1011 as CloseCode, 'send failed');
  };

  /** Pings it; false if it did not answer the last ping (it is then cut off). */
  ping(): boolean {
    if (!this.alive) {
      this.terminate();
      return false;
    }
    this.alive = false;
    try {
      this.socket.ping();
    } catch {
      this.terminate();
    }
    return true;
  }

  pong(): void {
    this.alive = true;
  }

  /** The socket closed (from either side). */
  closedBySocket(): void {
    this.isClosed = true;
  }

  close(code: CloseCode, reason = ''): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      this.socket.terminate();
    }
  }

  private terminate(): void {
    this.isClosed = true;
    this.socket.terminate();
  }
}

/** ws hands over Buffer, ArrayBuffer or Buffer[]; the core works on Uint8Array views. */
export function toUint8Array(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) return Buffer.concat(data as Uint8Array[]);
  return null;
}

import type { Role } from '@tabla/plan-model';
import type { CloseCode } from './protocol.js';

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
  /** Token bucket: sustained messages per second, and the burst allowed above it. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
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
  /** Awareness client ids this connection has announced, removed when it leaves. */
  readonly awarenessIds = new Set<number>();
  /** Answered the last ping. */
  alive = true;
  closed = false;
  /**
   * Settles once every update this connection sent so far has been written: true if all were
   * stored, false if one was not (the connection is then closed, and no flush is answered).
   */
  private stored: Promise<boolean> = Promise.resolve(true);
  private readonly maxBufferedBytes: number;
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.socket = init.socket;
    this.boardId = init.boardId;
    this.role = init.role;
    this.municipalityId = init.municipalityId;
    this.keyHash = init.keyHash;
    this.ip = init.ip;
    this.maxBufferedBytes = init.maxBufferedBytes;
    this.rate = init.messagesPerSecond;
    this.burst = init.messageBurst;
    this.tokens = init.messageBurst;
  }

  /** Takes one message from the bucket; false = over the rate. */
  takeMessage(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
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
    if (this.closed || this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.closed = true;
      this.socket.terminate();
      return;
    }
    this.socket.send(frame, (err) => {
      if (err) this.close(1011 as CloseCode, 'send failed');
    });
  }

  close(code: CloseCode, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      this.socket.terminate();
    }
  }
}

/** ws hands over Buffer, ArrayBuffer or Buffer[]; the core works on Uint8Array views. */
export function toUint8Array(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) return Buffer.concat(data as Uint8Array[]);
  return null;
}

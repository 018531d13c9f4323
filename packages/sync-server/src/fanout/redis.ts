/**
 * The pipe between instances on Redis Streams (ARCHITECTURE.md "Storage": PostgreSQL is the
 * record, Redis the pipe). Three connections per instance, whatever the number of boards:
 * - commands: XADD of each stored update to its board's stream (`MAXLEN ~` trimmed, expiring when
 *   idle), XREVRANGE to note a stream's position, PUBLISH of presence, CLIENT UNBLOCK;
 * - one reader: a single blocking XREAD over the streams of every loaded board, woken (CLIENT
 *   UNBLOCK) when a board is added;
 * - one subscriber: presence, over pub/sub (ephemeral: a message lost is renewed within 15 s).
 *
 * Nothing here waits for Redis on the write path and nothing queues while Redis is away (no
 * offline queue): an entry not published is simply not heard by the others, who find it in
 * PostgreSQL by their gap fill or periodic check. After the reader reconnects it asks every room
 * to catch up (`onCatchUp`). An entry that does not decode is skipped with a log line: one bad
 * entry never stops delivery, for its board or any other.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import { decodeEntry, decodePresence, encodeEntry, encodePresence, isValidInstanceId } from './codec.js';
import type { Fanout, FanoutEntry, FanoutHandlers, FanoutStatus, PresenceMessage } from './types.js';

export interface FanoutLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** TEST SEAM ONLY: called before an update is published (e.g. to crash between commit and XADD). */
export interface RedisFanoutFaults {
  beforePublish?: (boardId: string, seq: number) => void;
}

export interface RedisFanoutOptions {
  /** `redis://[:password@]host:port[/db]` */
  readonly url: string;
  /** Unique among the instances; default `hostname-pid-random`. */
  readonly instanceId?: string;
  /** Prefix of every key and channel (tests use one each). Default `tabla:`. */
  readonly keyPrefix?: string;
  /** Entries kept per board's stream (`XADD MAXLEN ~`). Default 1000: an instance further behind fills from PostgreSQL. */
  readonly maxLen?: number;
  /** A board's stream expires this long after its last entry. Default one day. */
  readonly streamTtlSeconds?: number;
  /** How long one XREAD blocks (it is woken early when a board is added). Default 5000 ms. */
  readonly blockMs?: number;
  readonly logger?: FanoutLogger;
  readonly faults?: RedisFanoutFaults;
}

const silent: FanoutLogger = { info() {}, warn() {}, error() {} };

/** Board ids are checked (`isValidBoardId`) before any board loads: safe inside a key. */
const ENTRY_FIELD = 'd';

export class RedisFanout implements Fanout {
  readonly enabled = true;
  readonly instanceId: string;
  private readonly prefix: string;
  private readonly maxLen: number;
  private readonly ttlSeconds: number;
  private readonly blockMs: number;
  private readonly log: FanoutLogger;
  private readonly faults: RedisFanoutFaults;
  private readonly commands: Redis;
  private readonly reader: Redis;
  private readonly subscriber: Redis;
  private handlers: FanoutHandlers | null = null;
  /** Stream key -> the id of the last entry read (null: not noted yet, e.g. Redis was down). */
  private readonly positions = new Map<string, string | null>();
  /** Presence channels wanted (resubscribed after a reconnect). */
  private readonly channels = new Set<string>();
  /** Stream key -> when its expiry was last pushed back. */
  private readonly expiresSet = new Map<string, number>();
  private readerId: number | null = null;
  /** True while an XREAD is blocked (only then does CLIENT UNBLOCK help). */
  private blocked = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;
  /** Test seam: the reader stops reading (a lagging instance) until `resumeReading`. */
  private paused = false;
  private down = true;
  /** Whether "Redis unavailable" was logged since it was last available. */
  private downLogged = false;
  private lastError: string | undefined = 'connecting';
  private unpublished = 0;
  private malformed = 0;
  private readonly malformedLogged = new Set<string>();

  constructor(options: RedisFanoutOptions) {
    this.instanceId = options.instanceId ?? `${hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 32) || 'tabla'}-${process.pid}-${randomBytes(3).toString('hex')}`;
    if (!isValidInstanceId(this.instanceId)) throw new Error(`invalid instance id ${JSON.stringify(this.instanceId)}`);
    this.prefix = options.keyPrefix ?? 'tabla:';
    this.maxLen = options.maxLen ?? 1000;
    this.ttlSeconds = options.streamTtlSeconds ?? 86_400;
    this.blockMs = options.blockMs ?? 5_000;
    this.log = options.logger ?? silent;
    this.faults = options.faults ?? {};
    const common: RedisOptions = {
      // Nothing waits for Redis: a command while it is away fails at once, none is sent twice.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      connectTimeout: 5_000,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
      lazyConnect: true,
    };
    this.commands = new Redis(options.url, { ...common, commandTimeout: 5_000, connectionName: `tabla:${this.instanceId}:commands` });
    this.reader = new Redis(options.url, { ...common, commandTimeout: this.blockMs + 5_000, connectionName: `tabla:${this.instanceId}:reader` });
    this.subscriber = new Redis(options.url, { ...common, connectionName: `tabla:${this.instanceId}:presence` });
    for (const [name, conn] of [
      ['commands', this.commands],
      ['reader', this.reader],
      ['presence', this.subscriber],
    ] as const) {
      conn.on('error', (err: Error) => this.noteDown(`${name}: ${err.message}`));
      conn.on('close', () => this.noteDown(`${name}: connection closed`));
      conn.on('ready', () => this.noteReady());
    }
    this.reader.on('ready', () => {
      this.readerId = null;
      this.wakeUp();
    });
    this.subscriber.on('ready', () => {
      if (this.channels.size > 0) this.subscriber.subscribe(...this.channels).catch(() => {});
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onPresenceMessage(channel.toString(), message));
  }

  start(handlers: FanoutHandlers): void {
    if (this.handlers) throw new Error('RedisFanout.start: already started');
    this.handlers = handlers;
    for (const conn of [this.commands, this.reader, this.subscriber]) conn.connect().catch(() => {}); // retried by ioredis
    this.loop = this.readLoop();
  }

  /** Resolves once Redis answers (for start-up messages and tests); rejects after `timeoutMs`. */
  async ready(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.commands.status !== 'ready' || this.reader.status !== 'ready' || this.subscriber.status !== 'ready') {
      if (Date.now() > deadline) throw new Error(`Redis not reachable (${this.lastError ?? 'no answer'})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private streamKey(boardId: string): string {
    return `${this.prefix}s:${boardId}`;
  }

  private channel(boardId: string): string {
    return `${this.prefix}p:${boardId}`;
  }

  private boardOfKey(key: string, kind: 's' | 'p'): string | null {
    const head = `${this.prefix}${kind}:`;
    return key.startsWith(head) ? key.slice(head.length) : null;
  }

  async subscribe(boardId: string): Promise<void> {
    const key = this.streamKey(boardId);
    if (this.positions.has(key)) return;
    this.positions.set(key, null);
    const channel = this.channel(boardId);
    this.channels.add(channel);
    if (this.subscriber.status === 'ready') this.subscriber.subscribe(channel).catch(() => {});
    try {
      const position = await this.lastId(this.commands, key);
      // Still wanted (not unsubscribed meanwhile) and not noted by the reader meanwhile.
      if (this.positions.has(key) && this.positions.get(key) === null) this.positions.set(key, position);
    } catch (err) {
      // Redis is away: the reader notes the position when it is back, and the room catches up then.
      this.noteDown(`commands: ${(err as Error).message}`);
    }
    this.wakeUp();
  }

  unsubscribe(boardId: string): void {
    const key = this.streamKey(boardId);
    this.positions.delete(key);
    this.expiresSet.delete(key);
    const channel = this.channel(boardId);
    if (this.channels.delete(channel) && this.subscriber.status === 'ready') this.subscriber.unsubscribe(channel).catch(() => {});
  }

  publishUpdate(boardId: string, entry: FanoutEntry): void {
    this.faults.beforePublish?.(boardId, entry.seq);
    if (this.closed) return;
    if (this.commands.status !== 'ready') {
      this.unpublished++;
      return;
    }
    const key = this.streamKey(boardId);
    const data = encodeEntry(entry);
    this.commands.xadd(key, 'MAXLEN', '~', this.maxLen, '*', ENTRY_FIELD, data).catch((err: Error) => {
      this.unpublished++;
      this.noteDown(`commands: ${err.message}`);
    });
    const now = Date.now();
    const set = this.expiresSet.get(key) ?? 0;
    if (now - set > 60_000) {
      this.expiresSet.set(key, now);
      this.commands.expire(key, this.ttlSeconds).catch(() => {});
    }
  }

  publishPresence(boardId: string, message: PresenceMessage): void {
    if (this.closed || this.commands.status !== 'ready') return;
    this.commands.publish(this.channel(boardId), encodePresence(message)).catch(() => {});
  }

  /** TEST SEAM: the reader stops reading, as an instance that lags; entries wait in the streams (up to `maxLen`). */
  pauseReading(): void {
    this.paused = true;
    this.wakeUp();
  }

  resumeReading(): void {
    this.paused = false;
    this.wakeUp();
  }

  status(): FanoutStatus {
    const state = this.closed || this.down ? 'down' : 'ready';
    return {
      state,
      ...(state === 'down' && this.lastError ? { error: this.lastError } : {}),
      unpublished: this.unpublished,
      malformed: this.malformed,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeUp();
    for (const conn of [this.commands, this.reader, this.subscriber]) conn.disconnect();
    await this.loop;
  }

  // -------------------------------------------------------------------------

  private noteDown(why: string): void {
    if (this.closed) return;
    if (!this.downLogged) this.log.error({ err: why }, 'Redis unavailable: updates still commit to PostgreSQL and reach other instances through it, seconds later');
    this.downLogged = true;
    this.down = true;
    this.lastError = why;
  }

  private noteReady(): void {
    if (this.commands.status !== 'ready' || this.reader.status !== 'ready' || this.subscriber.status !== 'ready') return;
    // `down` is cleared by the read loop once it reads again (and has asked the rooms to catch up).
    this.wakeUp();
  }

  private wakeUp(): void {
    this.wake?.();
    if (this.blocked && this.readerId !== null && this.commands.status === 'ready') {
      this.commands.client('UNBLOCK', this.readerId).catch(() => {});
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** The id of a stream's last entry, or '0-0' when it has none (then every entry is new). */
  private async lastId(conn: Redis, key: string): Promise<string> {
    const last = await conn.xrevrange(key, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  private async readLoop(): Promise<void> {
    let caughtUp = false;
    while (!this.closed) {
      if (this.paused) {
        await this.sleep(1_000);
        continue;
      }
      if (this.reader.status !== 'ready' || this.commands.status !== 'ready') {
        caughtUp = false;
        await this.sleep(this.positions.size === 0 ? 1_000 : 100);
        continue;
      }
      try {
        if (this.readerId === null) this.readerId = Number(await this.reader.client('ID'));
        // Positions not noted while Redis was away: from now on, and the rooms catch up from storage.
        const late: string[] = [];
        for (const [key, position] of this.positions) {
          if (position !== null) continue;
          const id = await this.lastId(this.reader, key);
          if (this.positions.get(key) === null) this.positions.set(key, id);
          late.push(this.boardOfKey(key, 's')!);
        }
        if (!caughtUp) {
          caughtUp = true;
          if (this.downLogged) this.log.info({}, 'Redis available: relaying between instances again');
          this.downLogged = false;
          this.down = false;
          this.lastError = undefined;
          this.handlers?.onCatchUp(null);
        } else if (late.length > 0) this.handlers?.onCatchUp(late);
        if (this.positions.size === 0) {
          await this.sleep(this.blockMs);
          continue;
        }
        const keys = [...this.positions.keys()];
        const ids = keys.map((k) => this.positions.get(k) ?? '$');
        this.blocked = true;
        let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
        try {
          reply = await this.reader.xreadBuffer('COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...ids);
        } finally {
          this.blocked = false;
        }
        for (const [keyBytes, items] of reply ?? []) this.deliver(keyBytes.toString(), items);
      } catch (err) {
        this.readerId = null;
        caughtUp = false;
        if (this.closed) break;
        this.noteDown(`reader: ${(err as Error).message}`);
        await this.sleep(200);
      }
    }
  }

  private deliver(key: string, items: [Buffer, Buffer[]][]): void {
    const boardId = this.boardOfKey(key, 's');
    if (boardId === null || !this.positions.has(key)) return; // unsubscribed meanwhile
    for (const [idBytes, fields] of items) {
      this.positions.set(key, idBytes.toString());
      let entry: FanoutEntry;
      try {
        const at = fields.findIndex((f, i) => i % 2 === 0 && f.toString() === ENTRY_FIELD);
        if (at < 0 || !fields[at + 1]) throw new Error('no data field');
        entry = decodeEntry(fields[at + 1]!);
      } catch (err) {
        this.noteMalformed(boardId, idBytes.toString(), err);
        continue;
      }
      try {
        this.handlers?.onUpdate(boardId, entry);
      } catch (err) {
        this.log.error({ boardId, err: String(err) }, 'fan-out entry not applied');
      }
    }
  }

  private onPresenceMessage(channel: string, message: Buffer): void {
    const boardId = this.boardOfKey(channel, 'p');
    if (boardId === null || !this.channels.has(channel)) return;
    let decoded: PresenceMessage;
    try {
      decoded = decodePresence(message);
    } catch (err) {
      this.noteMalformed(boardId, 'presence', err);
      return;
    }
    if (decoded.instanceId === this.instanceId) return;
    try {
      this.handlers?.onPresence(boardId, decoded);
    } catch (err) {
      this.log.error({ boardId, err: String(err) }, 'fan-out presence not applied');
    }
  }

  private noteMalformed(boardId: string, id: string, err: unknown): void {
    this.malformed++;
    // One line per board and kind of problem: a flood of bad entries cannot flood the log.
    const what = `${boardId}: ${String((err as Error)?.message ?? err)}`;
    if (this.malformedLogged.size < 1000 && !this.malformedLogged.has(what)) {
      this.malformedLogged.add(what);
      this.log.warn({ boardId, entry: id, err: String((err as Error)?.message ?? err) }, 'malformed fan-out entry skipped');
    }
  }
}

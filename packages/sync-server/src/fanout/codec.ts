/**
 * The bytes of a stream entry and of a presence message. Whatever is read from the pipe is checked
 * here before anything uses it: a malformed entry (a bug, another program writing to our keys) is
 * skipped with a log line by the reader and never stops delivery for other boards.
 *
 * Entry:    0x01 | seq (float64, a safe integer >= 1) | instance id (u8 length + UTF-8) |
 *           owners (u16 count, each: client id u32 + key hash (u8 length + ASCII)) | the update (rest, >= 1 byte)
 * Presence: 0x02 | kind (1 states, 2 query) | instance id | [states: speakers (as owners) | awareness update (rest)]
 */
import type { ClientOwner } from '../storage/types.js';
import type { FanoutEntry, PresenceMessage } from './types.js';

const ENTRY = 1;
const PRESENCE = 2;
const STATES = 1;
const QUERY = 2;
/** Instance ids: short and printable. */
const INSTANCE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Key hashes: a sha-256 in hex, or '' for keyless clients (tokens.ts). */
const KEY_HASH = /^(?:[0-9a-f]{64})?$/;
const MAX_OWNERS = 0xffff;

export class MalformedEntryError extends Error {
  override name = 'MalformedEntryError';
}

class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  u8(n: number): this {
    return this.bytes(Uint8Array.of(n));
  }
  u16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return this.bytes(b);
  }
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return this.bytes(b);
  }
  f64(n: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    return this.bytes(b);
  }
  short(text: string): this {
    const b = Buffer.from(text, 'utf8');
    if (b.length > 255) throw new RangeError('string too long for the fan-out codec');
    return this.u8(b.length).bytes(b);
  }
  owners(list: readonly ClientOwner[]): this {
    if (list.length > MAX_OWNERS) throw new RangeError('too many owners for the fan-out codec');
    this.u16(list.length);
    for (const o of list) this.u32(o.clientId).short(o.keyHash);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

class Reader {
  private at = 0;
  private readonly buf: Buffer;
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new MalformedEntryError('truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const n = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return n;
  }
  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return n;
  }
  f64(): number {
    this.need(8);
    const n = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return n;
  }
  short(): string {
    const n = this.u8();
    this.need(n);
    const text = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return text;
  }
  owners(): ClientOwner[] {
    const count = this.u16();
    const list: ClientOwner[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = this.u32();
      const keyHash = this.short();
      if (!KEY_HASH.test(keyHash)) throw new MalformedEntryError('bad key hash');
      list.push({ clientId, keyHash });
    }
    return list;
  }
  instanceId(): string {
    const id = this.short();
    if (!INSTANCE_ID.test(id)) throw new MalformedEntryError('bad instance id');
    return id;
  }
  /** The rest, as a copy (the reader's buffer may be pooled). */
  rest(): Uint8Array {
    const out = new Uint8Array(this.buf.length - this.at);
    out.set(this.buf.subarray(this.at));
    this.at = this.buf.length;
    return out;
  }
}

export function isValidInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id);
}

export function encodeEntry(entry: FanoutEntry): Buffer {
  return new Writer().u8(ENTRY).f64(entry.seq).short(entry.instanceId).owners(entry.owners).bytes(entry.update).done();
}

/** The entry, or a `MalformedEntryError`. */
export function decodeEntry(bytes: Uint8Array): FanoutEntry {
  const r = new Reader(bytes);
  if (r.u8() !== ENTRY) throw new MalformedEntryError('not an entry');
  const seq = r.f64();
  if (!Number.isSafeInteger(seq) || seq < 1) throw new MalformedEntryError('bad seq');
  const instanceId = r.instanceId();
  const owners = r.owners();
  const update = r.rest();
  if (update.length === 0) throw new MalformedEntryError('empty update');
  return { seq, instanceId, owners, update };
}

export function encodePresence(message: PresenceMessage): Buffer {
  const w = new Writer().u8(PRESENCE);
  if (message.kind === 'query') return w.u8(QUERY).short(message.instanceId).done();
  return w.u8(STATES).short(message.instanceId).owners(message.speakers).bytes(message.frame).done();
}

export function decodePresence(bytes: Uint8Array): PresenceMessage {
  const r = new Reader(bytes);
  if (r.u8() !== PRESENCE) throw new MalformedEntryError('not a presence message');
  const kind = r.u8();
  const instanceId = r.instanceId();
  if (kind === QUERY) return { kind: 'query', instanceId };
  if (kind !== STATES) throw new MalformedEntryError('unknown presence kind');
  const speakers = r.owners();
  const frame = r.rest();
  if (frame.length === 0) throw new MalformedEntryError('empty presence');
  return { kind: 'states', instanceId, speakers, frame };
}

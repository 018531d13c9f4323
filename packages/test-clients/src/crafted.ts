/**
 * Hostile-but-decodable Yjs (v1) updates, written by hand: structures no Tabla client produces
 * but that Yjs applies, each built to cost far more than its size. For the cost tests (RELIABILITY
 * R16-R19) and the attack benchmark.
 */
import * as encoding from 'lib0/encoding';

export interface ItemId {
  readonly client: number;
  readonly clock: number;
}

const BIT_PARENT_SUB = 0b0010_0000;
const CONTENT_DELETED = 1;
const CONTENT_STRING = 4;
const CONTENT_ANY = 8;

const update = (write: (e: encoding.Encoder) => void, deletes: readonly { client: number; ranges: readonly [number, number][] }[] = []): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  encoding.writeVarUint(e, deletes.length);
  for (const { client, ranges } of deletes) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, length);
    }
  }
  return encoding.toUint8Array(e);
};

/** One GC struct of length 1 under each of `count` new client ids: the state vector grows by `count` entries. */
export const manyClients = (firstClient: number, count: number): Uint8Array =>
  update((e) => {
    encoding.writeVarUint(e, count);
    for (let i = 0; i < count; i++) {
      encoding.writeVarUint(e, 1); // structs
      encoding.writeVarUint(e, firstClient + i);
      encoding.writeVarUint(e, 0); // clock
      encoding.writeUint8(e, 0); // GC
      encoding.writeVarUint(e, 1);
    }
  });

/** Writes one item under `key` of the nested map whose item is `parent`, with no origin. */
function writeMapItem(e: encoding.Encoder, parent: ItemId, key: string, contentRef: number, content: (e: encoding.Encoder) => void): void {
  encoding.writeUint8(e, contentRef | BIT_PARENT_SUB);
  encoding.writeVarUint(e, 0); // parent is a nested type, by id
  encoding.writeVarUint(e, parent.client);
  encoding.writeVarUint(e, parent.clock);
  encoding.writeVarString(e, key);
  content(e);
}

/**
 * A map entry holding a string as one long item (ContentString): Yjs reads it as its last
 * character, so it looks like a small value, but it is `length` clocks that a delete set can split.
 */
export const longStringEntry = (client: number, clock: number, parent: ItemId, key: string, length: number): Uint8Array =>
  update((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    writeMapItem(e, parent, key, CONTENT_STRING, (e) => encoding.writeVarString(e, 'x'.repeat(length)));
  });

/** A map entry with `count` values in one item (ContentAny), where the schema has one. */
export const manyValuesEntry = (client: number, clock: number, parent: ItemId, key: string, count: number): Uint8Array =>
  update((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    writeMapItem(e, parent, key, CONTENT_ANY, (e) => {
      encoding.writeVarUint(e, count);
      for (let i = 0; i < count; i++) encoding.writeAny(e, 1);
    });
  });

/** `count` tiny entries with distinct keys in a nested map: cheap on the wire, each a whole item in memory. */
export const manyKeysEntry = (client: number, clock: number, parent: ItemId, count: number, prefix = 'k'): Uint8Array =>
  update((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, count);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    for (let i = 0; i < count; i++) writeMapItem(e, parent, `${prefix}${i}`, CONTENT_ANY, (e) => (encoding.writeVarUint(e, 1), encoding.writeAny(e, 1)));
  });

/** A delete set alone: every other clock of [clock, clock + length) of `client` (one range each). */
export const everyOtherDeleted = (client: number, clock: number, length: number): Uint8Array =>
  update(
    (e) => encoding.writeVarUint(e, 0),
    [{ client, ranges: Array.from({ length: Math.ceil(length / 2) }, (_, i): [number, number] => [clock + 2 * i, 1]) }],
  );

/** A delete set alone, the same range `times` times (unsorted, overlapping: each one walks the store again). */
export const repeatedDelete = (client: number, clock: number, length: number, times: number): Uint8Array =>
  update((e) => encoding.writeVarUint(e, 0), [{ client, ranges: Array.from({ length: times }, (): [number, number] => [clock, length]) }]);

/** A delete set alone: `ranges` as given. */
export const deleteRanges = (client: number, ranges: readonly [number, number][]): Uint8Array => update((e) => encoding.writeVarUint(e, 0), [{ client, ranges }]);

/** One deleted item (ContentDeleted) of `length` clocks under a nested map: legitimate in sync answers. */
export const deletedRun = (client: number, clock: number, parent: ItemId, key: string, length: number): Uint8Array =>
  update((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    writeMapItem(e, parent, key, CONTENT_DELETED, (e) => encoding.writeVarUint(e, length));
  });

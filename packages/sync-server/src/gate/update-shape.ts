/**
 * Reads a Yjs (v1) update's structure without applying it, and refuses shapes no Tabla client
 * produces, before anything costly happens. Every value of a board is a plain value or a Y.Map
 * under a key (schema v1, plan-model SCHEMA.md), so an honest update holds only:
 * - items of length one whose content is one plain value (ContentAny) or a Y.Map (ContentType);
 * - deleted content (GC structs, ContentDeleted), which may be longer (it stands for old items);
 *   so may old values that a replica kept (its undo manager keeps what it deleted, and Yjs then
 *   merges neighbouring values into one item): several values in one item, deleted whole by one
 *   range of the update's own delete set, as a board's sync step 2 after offline edits holds them;
 * - a delete set written sorted and merged, as Yjs always writes it.
 * What this rules out is what makes a small update expensive: a long live item that a delete set
 * then splits once per range (each split moves the whole struct array: O(n²)), overlapping or
 * unsorted delete ranges (each one walks the store again), skips (gaps only merged updates have),
 * and more structs, ranges or new Yjs client ids than the budget allows.
 *
 * The scan is O(bytes) and stops at the first problem.
 */
import * as decoding from 'lib0/decoding';

export interface ShapeLimits {
  /** Structs (items, GC) in one update. */
  readonly maxStructs: number;
  /** Delete-set ranges in one update. */
  readonly maxDeleteRanges: number;
  /** Distinct Yjs client ids (with structs) in one update. */
  readonly maxClients: number;
  /**
   * New keys one update writes into one nested map (an entry, its partners, a ballot): an entry has
   * a few dozen keys at most (schema v1, PM25), so thousands are refused before they are applied.
   */
  readonly maxKeysPerEntry: number;
}

/** One client's run of structs in the update: clocks [from, to). */
export interface ClientRun {
  readonly client: number;
  readonly from: number;
  readonly to: number;
}

/** A delete-set range: clocks [clock, clock + length) of `client`. */
export interface DeleteRange {
  readonly client: number;
  readonly clock: number;
  readonly length: number;
}

export interface UpdateShape {
  readonly runs: readonly ClientRun[];
  readonly deletes: readonly DeleteRange[];
  readonly structs: number;
}

export type ShapeResult = { readonly ok: true; readonly shape: UpdateShape } | { readonly ok: false; readonly reason: string };

// Struct kinds (the low 5 bits of an info byte), as yjs encodes them.
const GC_INFO = 0;
const SKIP_INFO = 10;
const BIT_ORIGIN = 0b1000_0000;
const BIT_RIGHT_ORIGIN = 0b0100_0000;
const BIT_PARENT_SUB = 0b0010_0000;
const CONTENT_DELETED = 1;
const CONTENT_TYPE = 7;
const CONTENT_ANY = 8;
const TYPE_REF_MAP = 1;

const fail = (reason: string): ShapeResult => ({ ok: false, reason });

/** The structure of a v1 update, or why it is refused. Throws nothing. */
export function readUpdateShape(update: Uint8Array, limits: ShapeLimits): ShapeResult {
  try {
    return scan(update, limits);
  } catch {
    return fail('undecodable update');
  }
}

function scan(update: Uint8Array, limits: ShapeLimits): ShapeResult {
  const d = decoding.createDecoder(update);
  const runs: ClientRun[] = [];
  let structs = 0;
  /** Items holding several values: honest only as old values this update deletes (checked against its delete set below). */
  const several: DeleteRange[] = [];
  const clientCount = decoding.readVarUint(d);
  // Each client's run and each struct take at least a byte: a larger count is a lie, not a budget question.
  const claims = (n: number) => n > update.length - d.pos;
  if (claims(clientCount)) return fail('undecodable update');
  if (clientCount > limits.maxClients) return fail(`update writes for ${clientCount} client ids (limit ${limits.maxClients})`);
  const seen = new Set<number>();
  const keysPerEntry = new Map<string, number>();
  for (let c = 0; c < clientCount; c++) {
    const count = decoding.readVarUint(d);
    const client = decoding.readVarUint(d);
    const from = decoding.readVarUint(d);
    if (claims(count)) return fail('undecodable update');
    if (seen.has(client)) return fail('a client id appears twice');
    seen.add(client);
    structs += count;
    if (structs > limits.maxStructs) return fail(`update holds over ${limits.maxStructs} structs`);
    let clock = from;
    for (let i = 0; i < count; i++) {
      const info = decoding.readUint8(d);
      const kind = info & 0b1_1111;
      if (kind === GC_INFO) {
        clock += readLength(d);
        continue;
      }
      if (kind === SKIP_INFO) return fail('update has gaps (skips)');
      if (info & BIT_ORIGIN) skipId(d);
      if (info & BIT_RIGHT_ORIGIN) skipId(d);
      if ((info & (BIT_ORIGIN | BIT_RIGHT_ORIGIN)) === 0) {
        // No origin: the parent is written, either a root's name or a nested type's id. A key
        // written for the first time has no origin: counted per nested map (roots hold many entries).
        if (decoding.readVarUint(d) === 1) decoding.readVarString(d);
        else {
          const parent = `${decoding.readVarUint(d)}:${decoding.readVarUint(d)}`;
          const keys = (keysPerEntry.get(parent) ?? 0) + 1;
          if (keys > limits.maxKeysPerEntry) return fail(`update writes over ${limits.maxKeysPerEntry} keys into one entry`);
          keysPerEntry.set(parent, keys);
        }
        if (info & BIT_PARENT_SUB) decoding.readVarString(d);
      }
      switch (kind) {
        case CONTENT_DELETED:
          clock += readLength(d);
          break;
        case CONTENT_ANY: {
          const values = decoding.readVarUint(d);
          if (values === 0) return fail('an item holds no value');
          if (claims(values)) return fail('undecodable update');
          for (let v = 0; v < values; v++) decoding.readAny(d);
          if (values > 1) several.push({ client, clock, length: values });
          clock += values;
          break;
        }
        case CONTENT_TYPE: {
          if (decoding.readVarUint(d) !== TYPE_REF_MAP) return fail('a nested type other than a map');
          clock += 1;
          break;
        }
        default:
          return fail(`content the schema never uses (kind ${kind})`);
      }
    }
    if (clock > Number.MAX_SAFE_INTEGER) return fail('clock out of range');
    runs.push({ client, from, to: clock });
  }
  const deletes: DeleteRange[] = [];
  const dsClients = decoding.readVarUint(d);
  if (claims(dsClients)) return fail('undecodable update');
  /** Each client's ranges, sorted (a client appears once in a delete set). */
  const deletesOf = new Map<number, DeleteRange[]>();
  for (let c = 0; c < dsClients; c++) {
    const client = decoding.readVarUint(d);
    const count = decoding.readVarUint(d);
    if (claims(count)) return fail('undecodable update');
    if (deletesOf.has(client)) return fail('a client id appears twice in the delete set');
    const ranges: DeleteRange[] = [];
    deletesOf.set(client, ranges);
    if (deletes.length + count > limits.maxDeleteRanges) return fail(`delete set over ${limits.maxDeleteRanges} ranges`);
    let end = -1;
    for (let i = 0; i < count; i++) {
      const clock = decoding.readVarUint(d);
      const length = decoding.readVarUint(d);
      // Yjs writes ranges sorted and merged: anything else is made by hand, to walk the store again and again.
      if (length === 0 || clock < end) return fail('delete set not sorted and merged');
      end = clock + length;
      const range = { client, clock, length };
      deletes.push(range);
      ranges.push(range);
    }
  }
  if (decoding.hasContent(d) || d.pos > update.length) return fail('trailing bytes after the update');
  // Several values in one item are fine deleted on arrival, whole, by one range: a live one is what
  // a delete set could split once per range (O(n²)); a deleted one is never split by deletes.
  for (const item of several) {
    if (!deletedWhole(deletesOf.get(item.client) ?? [], item)) return fail('an item holds several values where one is due');
  }
  return { ok: true, shape: { runs, deletes, structs } };
}

/** Whether one range of `ranges` (one client's, sorted and disjoint) covers all of `item`: O(log ranges). */
function deletedWhole(ranges: readonly DeleteRange[], item: DeleteRange): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]!.clock <= item.clock) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo - 1]; // the last one starting at or before the item
  return range !== undefined && item.clock + item.length <= range.clock + range.length;
}

function readLength(d: decoding.Decoder): number {
  const length = decoding.readVarUint(d);
  if (length === 0) throw new Error('empty struct');
  return length;
}

function skipId(d: decoding.Decoder): void {
  decoding.readVarUint(d);
  decoding.readVarUint(d);
}

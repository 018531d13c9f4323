/**
 * The update gate: judges one incoming update against a board's accepted state, with no socket,
 * storage or clock. Pure of the network and testable in memory (gate.fuzz.test.ts).
 *
 * Order, cheapest first, so an expensive update is refused before it costs anything:
 * 1. shape (update-shape.ts): O(bytes), no replica touched;
 * 2. clock ranges and delete ranges against the accepted store: whose client ids, anything new,
 *    anything the server does not have (forged dependencies); O(update + structs it deletes);
 * 3. nothing new: ignored (a viewer's echo, a replay) without applying it anywhere;
 * 4. budgets: new client ids (per update, device key, board) and the board's size;
 * 5. only then applied to the shadow replica, whose transaction says what changed, and judged by
 *    plan-model's one write policy (schema, roles, locks, attribution, votes).
 * A refusal after step 5 leaves the shadow dirty: it is rebuilt lazily, once, by the next update
 * that needs it, never per refusal.
 *
 * The accepted state is the document itself while every accepted update is stored and applied to
 * it (a board edited one change at a time). While others are still being written it is the shadow,
 * which judged them all. Judging also reads what the touched entries were before the update: the
 * document has that too, unless an update still being written touched the same activity or vote.
 * Only then is a replica of the accepted state built (O(board), charged), and kept until a compaction
 * finds nothing in flight (see `resize`): coordinators changing different cards at once never need one.
 */
import * as Y from 'yjs';
import { type Access, type ChangeReport, inspectTransaction, judgeChange, roots } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import type { ClientOwner } from '../storage/types.js';
import { type DeleteRange, readUpdateShape, type ShapeLimits, type UpdateShape } from './update-shape.js';

/** The origin of the shadow's transaction for the update being judged. */
const judgedOrigin = Symbol('judged');

export interface GateLimits extends ShapeLimits {
  /** New Yjs client ids one update may introduce. */
  readonly maxNewClientsPerUpdate: number;
  /** Yjs client ids one device key may own on a board (keyless clients: only the board's bound applies). */
  readonly maxClientsPerKey: number;
  /** Yjs client ids a board may hold: its state vector, which every device sends on connecting, stays small. */
  readonly maxClientsPerBoard: number;
  /** Structs (live and deleted items) the board may hold in memory, per replica. */
  readonly maxDocumentStructs: number;
  /** Stored size of the board (snapshot + log). */
  readonly maxDocumentBytes: number;
}

/** Who sends an update: what its link grants, and its device key's hash ('' = a keyless client). */
export interface Sender extends Access {
  readonly keyHash: string;
}

export type GateVerdict =
  | { readonly ok: true; readonly noop: true; readonly work: number }
  | { readonly ok: true; readonly noop: false; readonly newOwners: readonly ClientOwner[]; readonly work: number }
  | { readonly ok: false; readonly code: CloseCode; readonly reason: string; readonly work: number };

export interface GateInit {
  /** The document as stored and applied: the gate's first accepted state. */
  readonly doc: Y.Doc;
  /** Yjs client id -> key hash of the device that first wrote under it. */
  readonly clientOwners: ReadonlyMap<number, string>;
  /** Stored size of the board now. */
  readonly storedBytes: number;
  readonly limits: GateLimits;
  /** Which device speaks for a presence id (a client id announced in presence is its device's, even before it writes). */
  readonly presenceOwner?: (clientId: number) => string | undefined;
}

export class UpdateGate {
  /** The room's document as stored and applied (read here, never written). */
  private readonly doc: Y.Doc;
  /**
   * The document plus the accepted updates still being written, built only when an update touches
   * an entry one of those touched (see the file's comment). So a board only read (a projector,
   * viewers) costs no copy beside the document, a written one one (the shadow), and only
   * overlapping writes to the same card two.
   */
  private replica: Y.Doc | null = null;
  /** Without a replica: the accepted updates the document may not hold yet (with it, none). */
  private readonly unapplied = new Unapplied();
  /** The document plus every accepted update (it judged them), and, while judging, the update judged. */
  private shadow: Y.Doc | null = null;
  private lastChange: ChangeReport | null = null;
  private readonly owners: Map<number, string>;
  private readonly clientsPerKey = new Map<string, number>();
  private readonly limits: GateLimits;
  private readonly presenceOwner: (clientId: number) => string | undefined;
  /** Stored size plus accepted updates not yet stored: grows with each acceptance, reset by compaction. */
  private bytes: number;
  /** Shadow rebuilds so far (each O(board)): for tests and metrics. */
  rebuilds = 0;
  /** Accepted-state replicas built so far (each O(board), only while writes overlap): for tests and metrics. */
  replicaBuilds = 0;

  constructor(init: GateInit) {
    this.doc = init.doc;
    this.owners = new Map(init.clientOwners);
    for (const key of this.owners.values()) this.clientsPerKey.set(key, (this.clientsPerKey.get(key) ?? 0) + 1);
    this.limits = init.limits;
    this.bytes = init.storedBytes;
    this.presenceOwner = init.presenceOwner ?? (() => undefined);
  }

  /**
   * What an update is judged against: the document plus every accepted update, including those
   * being written. The document itself once it holds them all; else the replica if there is one,
   * else the shadow (which judged them), rebuilt now if a refusal dropped it: O(board), charged to
   * the update that needs it.
   */
  private acceptedState(): { doc: Y.Doc; built: boolean } {
    if (this.replica) return { doc: this.replica, built: false };
    this.unapplied.dropHeld((shape) => this.holds(this.doc.store, shape));
    if (this.unapplied.size === 0) return { doc: this.doc, built: false };
    const shadow = this.freshShadow(this.doc, this.unapplied.updates);
    return { doc: shadow.doc, built: shadow.rebuilt };
  }

  /**
   * What the entries a change touched were before it, for the write policy (`judgeChange` reads
   * nothing else of it): the document, unless an update still being written touched one of them
   * too; then the replica, built now if there is none yet (O(board), charged to the update that
   * needs it: 80-135 ms for a board of 2,000 activities, again after each compaction).
   */
  private stateBefore(change: ChangeReport): { doc: Y.Doc; built: boolean } {
    if (this.replica) return { doc: this.replica, built: false };
    if (!this.unapplied.touchedAnyOf(change)) return { doc: this.doc, built: false };
    this.replica = replicaOf(this.doc, this.unapplied.updates);
    this.unapplied.clear();
    this.replicaBuilds++;
    return { doc: this.replica, built: true };
  }

  /** The device key bound to a Yjs client id that wrote to the board. */
  ownerOf(clientId: number): string | undefined {
    return this.owners.get(clientId);
  }

  /** Structs held by one replica of the board (live and deleted; without a replica, the document's), O(client ids). */
  get structs(): number {
    return structsOf(this.replica ?? this.doc);
  }

  judge(update: Uint8Array, sender: Sender): GateVerdict {
    let work = update.length;
    const refuse = (code: CloseCode, reason: string): GateVerdict => ({ ok: false, code, reason, work });
    const read = readUpdateShape(update, this.limits);
    if (!read.ok) return refuse(read.reason === 'undecodable update' ? CloseCode.badMessage : CloseCode.invalidUpdate, read.reason);
    const { shape } = read;
    // Nothing in it (a viewer's empty sync step 2): nothing new, whatever the state; no replica built to say so.
    if (shape.runs.length === 0 && shape.deletes.length === 0) return { ok: true, noop: true, work };
    const { doc: accepted, built } = this.acceptedState();
    if (built) work += this.bytes;
    const store = accepted.store;

    // Clock ranges: only a device that owns a client id may extend it; nothing may build on what the server lacks.
    const newOwners: ClientOwner[] = [];
    let newStructs = 0;
    const ends = new Map<number, number>();
    for (const run of shape.runs) {
      const known = Y.getState(store, run.client);
      ends.set(run.client, Math.max(known, run.to));
      if (run.to <= known) continue;
      if (sender.role === 'viewer') return refuse(CloseCode.forbidden, 'viewers cannot write');
      const owner = this.owners.get(run.client);
      if (owner === undefined && known === 0) {
        const announcer = this.presenceOwner(run.client);
        if (announcer !== undefined && announcer !== sender.keyHash) return refuse(CloseCode.forbidden, 'writes under another client id');
        newOwners.push({ clientId: run.client, keyHash: sender.keyHash });
      } else if (owner !== sender.keyHash) return refuse(CloseCode.forbidden, 'writes under another client id');
      // Honest clients only build on what the server relayed (it stores first): a gap is forged.
      if (run.from > known) return refuse(CloseCode.invalidUpdate, 'depends on changes the server does not have');
      newStructs += run.to - known; // an upper bound: deleted runs count by length
    }
    const deletes = this.newDeletes(store, shape, ends);
    work += deletes.visited;
    if (deletes.forged) return refuse(CloseCode.invalidUpdate, 'deletes changes the server does not have');
    const somethingNew = newOwners.length > 0 || shape.runs.some((r) => r.to > Y.getState(store, r.client)) || deletes.fresh;
    if (!somethingNew) return { ok: true, noop: true, work };
    if (sender.role === 'viewer') return refuse(CloseCode.forbidden, 'viewers cannot write');

    const budget = this.budgetProblem(accepted, shape, newOwners, newStructs, update.length, sender);
    work += budget.work;
    if (budget.problem) return refuse(budget.problem.code, budget.problem.reason);

    const shadow = this.freshShadow(accepted);
    if (shadow.rebuilt) work += this.bytes;
    // While writes overlap, `accepted` is this very shadow: the checks above read it before the update changes it.
    const { pendingStructs, pendingDs } = shadow.doc.store;
    this.lastChange = null;
    try {
      Y.applyUpdate(shadow.doc, update, judgedOrigin);
    } catch {
      return this.dirty(refuse(CloseCode.badMessage, 'undecodable update'));
    }
    work += update.length;
    if (pendingStructs !== shadow.doc.store.pendingStructs || pendingDs !== shadow.doc.store.pendingDs) {
      return this.dirty(refuse(CloseCode.invalidUpdate, 'depends on changes the server does not have'));
    }
    const change = this.lastChange as ChangeReport | null;
    if (!change) return this.dirty(refuse(CloseCode.badMessage, 'update not applied'));
    const before = this.stateBefore(change);
    if (before.built) work += this.bytes;
    const judgement = judgeChange(before.doc, shadow.doc, change, sender);
    if (!judgement.ok) return this.dirty(refuse(judgement.rule === 'schema' ? CloseCode.invalidUpdate : CloseCode.forbidden, judgement.reason));

    // Bound now, so this sender's next update (sent before this one is stored) passes too.
    for (const o of newOwners) this.bind(o);
    // The shadow holds it already: the replica, if any, follows; without one it is owed to the document.
    if (this.replica) Y.applyUpdate(this.replica, update);
    else this.unapplied.push(update, shape, change);
    this.bytes += update.length;
    return { ok: true, noop: false, newOwners, work };
  }

  /**
   * An update stored and applied that the gate did not judge (none today; later: another
   * instance's): the replicas stay equal to what is stored.
   */
  admitStored(update: Uint8Array, newOwners: readonly ClientOwner[] = []): void {
    for (const o of newOwners) if (!this.owners.has(o.clientId)) this.bind(o);
    if (this.replica) Y.applyUpdate(this.replica, update); // without one, the document itself is the accepted state
    if (this.shadow) Y.applyUpdate(this.shadow, update);
    this.bytes += update.length;
  }

  /** After a failed storage write: the accepted state goes back to what is stored plus what is still in flight. */
  rollBack(inFlight: readonly Uint8Array[], newOwners: readonly ClientOwner[], storedBytes: number): void {
    for (const o of newOwners) {
      if (this.owners.get(o.clientId) !== o.keyHash) continue;
      this.owners.delete(o.clientId);
      this.clientsPerKey.set(o.keyHash, (this.clientsPerKey.get(o.keyHash) ?? 1) - 1);
    }
    this.replica?.destroy();
    this.replica = inFlight.length > 0 ? replicaOf(this.doc, inFlight) : null;
    this.unapplied.clear();
    this.bytes = storedBytes + inFlight.reduce((n, u) => n + u.length, 0);
    this.dropShadow();
  }

  /**
   * After compaction: the stored size is known again. With nothing in flight the document is the
   * accepted state, so the replica, if any, is dropped (built again only by the next overlap).
   */
  resize(storedBytes: number, inFlightBytes: number): void {
    this.bytes = storedBytes + inFlightBytes;
    if (inFlightBytes > 0) return;
    this.replica?.destroy();
    this.replica = null;
    this.unapplied.clear();
  }

  get storedBytesEstimate(): number {
    return this.bytes;
  }

  /**
   * Builds the first shadow ahead of the first update, when a device that may write joins: the
   * O(board) build is then paid at the join (whose sync answer is O(board) anyway), not by the first
   * change's relay. Once per gate: a shadow dropped after a refusal is rebuilt by the next update, and
   * charged to it, as before. A board only read never builds one.
   */
  prepare(): void {
    // With accepted updates the document may not hold yet, the next update builds it, as before.
    if (this.shadow || this.rebuilds > 0 || this.unapplied.size > 0) return;
    this.freshShadow(this.replica ?? this.doc);
  }

  destroy(): void {
    this.replica?.destroy();
    this.dropShadow();
  }

  private bind(o: ClientOwner): void {
    this.owners.set(o.clientId, o.keyHash);
    this.clientsPerKey.set(o.keyHash, (this.clientsPerKey.get(o.keyHash) ?? 0) + 1);
  }

  /**
   * Which delete ranges delete something not yet deleted, walking the accepted store from each
   * range's start (ranges are sorted and disjoint, so no struct is visited twice per client).
   * A range past what the server has (or what the update itself adds) is forged.
   */
  private newDeletes(store: Y.Doc['store'], shape: UpdateShape, ends: ReadonlyMap<number, number>): { fresh: boolean; forged: boolean; visited: number } {
    let visited = 0;
    let fresh = false;
    for (const range of shape.deletes) {
      const known = ends.get(range.client) ?? Y.getState(store, range.client);
      if (range.clock + range.length > known) return { fresh, forged: true, visited };
      if (fresh) continue; // one is enough; the rest are still checked for forgery above
      const r = this.liveIn(store, range, 1);
      visited += r.visited;
      fresh = r.live > 0;
    }
    return { fresh, forged: false, visited };
  }

  /** Live (not yet deleted) structs of a store in a range, counting up to `enough`. */
  private liveIn(store: Y.Doc['store'], { client, clock, length }: DeleteRange, enough: number): { live: number; visited: number } {
    const structs = store.clients.get(client);
    const state = Y.getState(store, client);
    // Clocks past the accepted state are the update's own new structs: deleting those is new, not a shrink.
    if (clock + length > state) return { live: enough === 1 ? 1 : 0, visited: 0 };
    if (!structs) return { live: 0, visited: 0 };
    let visited = 0;
    let live = 0;
    for (let i = Y.findIndexSS(structs, clock); i < structs.length && live < enough; i++) {
      const struct = structs[i]!;
      if (struct.id.clock >= clock + length) break;
      visited++;
      if (!struct.deleted) live++;
    }
    return { live, visited };
  }

  /** Whether a store holds all an update does: its structs, and its deletions made. */
  private holds(store: Y.Doc['store'], shape: UpdateShape): boolean {
    return shape.runs.every((r) => r.to <= Y.getState(store, r.client)) && shape.deletes.every((range) => this.liveIn(store, range, 1).live === 0);
  }

  /** Items a change would delete that are live now (its delete set walked whole), with the work. */
  private liveDeleted(store: Y.Doc['store'], shape: UpdateShape): { live: number; visited: number } {
    let live = 0;
    let visited = 0;
    for (const range of shape.deletes) {
      const r = this.liveIn(store, range, Infinity);
      live += r.live;
      visited += r.visited;
    }
    return { live, visited };
  }

  private budgetProblem(
    accepted: Y.Doc,
    shape: UpdateShape,
    newOwners: readonly ClientOwner[],
    newStructs: number,
    bytes: number,
    sender: Sender,
  ): { problem: { code: CloseCode; reason: string } | null; work: number } {
    const l = this.limits;
    const refused = (code: CloseCode, reason: string, work = 0) => ({ problem: { code, reason }, work });
    const fine = (work = 0) => ({ problem: null, work });
    if (newOwners.length > l.maxNewClientsPerUpdate) return refused(CloseCode.invalidUpdate, `update introduces ${newOwners.length} client ids (limit ${l.maxNewClientsPerUpdate})`);
    if (newOwners.length > 0) {
      // Keyless (stock) clients share one key: for them only the board's bound counts.
      if (sender.keyHash !== '' && (this.clientsPerKey.get(sender.keyHash) ?? 0) + newOwners.length > l.maxClientsPerKey) {
        return refused(CloseCode.documentTooLarge, 'this device wrote under too many client ids');
      }
      // The facilitator can always repair a board, so the board's own bound does not stop it.
      if (sender.role !== 'facilitator' && this.owners.size + newOwners.length > l.maxClientsPerBoard) {
        return refused(CloseCode.documentTooLarge, 'board has too many client ids');
      }
    }
    // A board at its limit still takes what makes it no larger: pure deletions from anyone allowed
    // to make them, and a facilitator's change that removes more live items than it adds.
    const grows = shape.runs.some((r) => r.to > Y.getState(accepted.store, r.client));
    if (!grows) return fine();
    const over =
      this.bytes + bytes > l.maxDocumentBytes
        ? 'board too large'
        : structsOf(accepted) + newStructs > l.maxDocumentStructs
          ? 'board holds too many items'
          : null;
    if (over === null) return fine();
    if (sender.role !== 'facilitator') return refused(CloseCode.documentTooLarge, over);
    const removed = this.liveDeleted(accepted.store, shape);
    return removed.live > newStructs ? fine(removed.visited) : refused(CloseCode.documentTooLarge, over, removed.visited);
  }

  /** The shadow, or one built from `accepted` and `unapplied` (O(board), a rebuild) if a refusal dropped it. */
  private freshShadow(accepted: Y.Doc, unapplied: readonly Uint8Array[] = []): { doc: Y.Doc; rebuilt: boolean } {
    if (this.shadow) return { doc: this.shadow, rebuilt: false };
    this.rebuilds++;
    const shadow = replicaOf(accepted, unapplied);
    // Only the update being judged is inspected, not those admitted as stored.
    shadow.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin === judgedOrigin) this.lastChange = inspectTransaction(tr);
    });
    this.shadow = shadow;
    return { doc: shadow, rebuilt: true };
  }

  private dirty(verdict: GateVerdict): GateVerdict {
    this.dropShadow();
    return verdict;
  }

  private dropShadow(): void {
    this.shadow?.destroy();
    this.shadow = null;
  }
}

/**
 * Accepted updates the document may not hold yet, oldest first, and how many of them touched each
 * activity and vote: whether a change touched one of those costs O(what it touched), however many
 * are in flight.
 */
class Unapplied {
  private readonly entries: { readonly update: Uint8Array; readonly shape: UpdateShape; readonly touched: readonly string[] }[] = [];
  private readonly touchedBy = new Map<string, number>();

  get size(): number {
    return this.entries.length;
  }

  get updates(): Uint8Array[] {
    return this.entries.map((e) => e.update);
  }

  push(update: Uint8Array, shape: UpdateShape, change: ChangeReport): void {
    const touched = touchedKeys(change);
    for (const key of touched) this.touchedBy.set(key, (this.touchedBy.get(key) ?? 0) + 1);
    this.entries.push({ update, shape, touched });
  }

  /** Forgets the oldest ones while `held` says the document holds them (it applies them in order). */
  dropHeld(held: (shape: UpdateShape) => boolean): void {
    while (this.entries.length > 0 && held(this.entries[0]!.shape)) {
      for (const key of this.entries.shift()!.touched) {
        const n = this.touchedBy.get(key)! - 1;
        if (n === 0) this.touchedBy.delete(key);
        else this.touchedBy.set(key, n);
      }
    }
  }

  touchedAnyOf(change: ChangeReport): boolean {
    return touchedKeys(change).some((key) => this.touchedBy.has(key));
  }

  clear(): void {
    this.entries.length = 0;
    this.touchedBy.clear();
  }
}

/** The activities and votes a change touched, as keys of one map. */
const touchedKeys = (change: ChangeReport): string[] => [...[...change.activities].map((id) => `activity ${id}`), ...[...change.votes.keys()].map((id) => `vote ${id}`)];

/** A replica of `doc` with `updates` applied, every root defined (see plan-model validate.ts, rootAsMap). */
export function replicaOf(doc: Y.Doc, updates: readonly Uint8Array[] = []): Y.Doc {
  const replica = new Y.Doc();
  roots(replica);
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  for (const update of updates) Y.applyUpdate(replica, update);
  return replica;
}

function structsOf(doc: Y.Doc): number {
  let n = 0;
  for (const structs of doc.store.clients.values()) n += structs.length;
  return n;
}

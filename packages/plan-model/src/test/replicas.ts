/**
 * In-memory replicas of one board for convergence tests (after Yjs tests/testHelper.js):
 * every local update goes into a queue per other replica; the test decides when, in what
 * order and how many times each one is delivered.
 */
import { vi } from 'vitest';
import * as Y from 'yjs';
import { seedDemoBoard } from '../demo.js';
import type { PlanOrigin } from '../origins.js';
import type { Random } from './random.js';

export const deliveryOrigin: PlanOrigin = Object.freeze({ source: 'remote', connectionId: 'test-network' });

export interface Replica {
  readonly index: number;
  readonly doc: Y.Doc;
  /** Updates made elsewhere, not yet delivered here (a delivered one may stay, to be delivered again). */
  readonly inbox: Uint8Array[];
}

/**
 * The demo board with ids drawn from `random` instead of the crypto source, so a seed
 * reproduces the whole run, ties between equal ranks included.
 */
export function seededDemoUpdate(random: Random): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1_000;
  const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(((array: Uint8Array) => {
    for (let i = 0; i < array.length; i++) array[i] = random.int(256);
    return array;
  }) as never);
  try {
    seedDemoBoard(doc);
  } finally {
    spy.mockRestore();
  }
  return Y.encodeStateAsUpdate(doc);
}

/** `count` replicas that all start from `initial`, with fixed client ids (1..count). */
export function createReplicas(count: number, initial: Uint8Array): Replica[] {
  const replicas: Replica[] = [];
  for (let index = 0; index < count; index++) {
    const doc = new Y.Doc();
    doc.clientID = index + 1;
    Y.applyUpdate(doc, initial, deliveryOrigin);
    replicas.push({ index, doc, inbox: [] });
  }
  for (const replica of replicas) {
    replica.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === deliveryOrigin) return; // relay only this replica's own edits
      for (const other of replicas) if (other !== replica) other.inbox.push(update);
    });
  }
  return replicas;
}

export function deliver(replica: Replica, update: Uint8Array): void {
  Y.applyUpdate(replica.doc, update, deliveryOrigin);
}

/**
 * Delivers every queued update everywhere, interleaving the replicas at random. Each inbox
 * is drained mostly oldest first, with some updates taken out of order: Yjs keeps an update
 * whose dependencies are missing as pending and retries it on every later apply, so a fully
 * shuffled drain of hundreds of updates costs quadratic time without testing anything more.
 */
export function deliverAll(replicas: readonly Replica[], random: Random): void {
  for (;;) {
    const waiting = replicas.filter((r) => r.inbox.length > 0);
    if (waiting.length === 0) return;
    const replica = random.pick(waiting);
    const index = random.chance(0.8) ? 0 : random.int(replica.inbox.length);
    const [update] = replica.inbox.splice(index, 1);
    deliver(replica, update!);
  }
}

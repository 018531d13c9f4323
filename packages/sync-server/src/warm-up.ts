/**
 * Warms the code every cold load and every judged update runs (Yjs decoding, integrating and
 * encoding; the update gate; plan-model's policy) on a throwaway board, before the server takes
 * its first connection. V8 compiles a function once it has run a while: without this, the first
 * board a restarted process loads pays for running that code cold (measured: the same load and
 * first answer about twice as slow the first time in a process).
 */
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, readBoard, roots, seedDemoBoard } from '@tabla/plan-model';
import { ColdAnswer, MAX_MERGED_TAIL } from './cold-answer.js';
import { UpdateGate } from './gate/update-gate.js';
import { applyStoredState } from './storage/document.js';
import { defaultLimits } from './sync-server.js';

/** Edits made on the throwaway board: enough for V8 to compile the hot paths, a few tens of ms. */
const EDITS = 600;
/** Loads of the throwaway board: the first real load of a 10,000-update log then took 35-50 ms, not 75 (measured). */
const LOAD_ROUNDS = 4;

/** What the warm-up ran: the judged path counts only if the gate accepted every edit (warm-up.test.ts). */
export interface WarmUpRun {
  readonly edits: number;
  readonly accepted: number;
}

export function warmUp(): WarmUpRun {
  const seeded = new Y.Doc();
  seedDemoBoard(seeded);
  const snapshot = Y.encodeStateAsUpdate(seeded);
  // The edits come from a device that synced the board (a client id of its own, as the gate wants).
  const source = new Y.Doc();
  Y.applyUpdate(source, snapshot);
  const updates: Uint8Array[] = [];
  source.on('update', (u: Uint8Array) => updates.push(u));
  const ids = [...roots(source).activities.keys()] as ActivityId[];
  const lanes = (['A', 'B', 'C', 'D'] as const).map((k): LaneId => demoLaneId(k));
  for (let i = 0; i < EDITS; i++) {
    const id = ids[i % ids.length]!;
    if (i % 4 === 3) editActivity(source, id, { notes: `warm ${i}` });
    else moveActivity(source, id, lanes[i % lanes.length]!, i % 3);
  }
  // A cold load, several times over (V8 optimises a function only after it ran a while: after one
  // load of this small board, the first real one was about twice as slow as the next): a fresh
  // client's answer from the stored state (the log merged), the snapshot and the log in one
  // transaction, the whole state encoded for a fresh client and applied as one.
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    ColdAnswer.of({ snapshot, updates: updates.slice(0, MAX_MERGED_TAIL), lastSeq: 0, clientOwners: new Map(), presenceOwners: new Map() })!.frames();
    const loaded = new Y.Doc();
    applyStoredState(loaded, { snapshot, updates });
    Y.encodeStateVector(loaded);
    readBoard(loaded);
    Y.applyUpdate(new Y.Doc(), Y.encodeStateAsUpdate(loaded));
    loaded.destroy();
  }
  // Judged updates: a gate over the snapshot, then the log judged update by update.
  const judged = new Y.Doc();
  Y.applyUpdate(judged, snapshot);
  const gate = new UpdateGate({ doc: judged, clientOwners: new Map(), storedBytes: snapshot.length, limits: defaultLimits });
  const sender = { role: 'facilitator', municipalityId: null, keyHash: '' } as const;
  let accepted = 0;
  for (const update of updates) {
    if (!gate.judge(update, sender).ok) continue;
    Y.applyUpdate(judged, update);
    accepted++;
  }
  for (const doc of [seeded, source, judged]) doc.destroy();
  gate.destroy();
  return { edits: updates.length, accepted };
}

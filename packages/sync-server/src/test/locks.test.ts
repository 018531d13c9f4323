import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, moveActivity, readBoard, setBoardLocked, setLaneLocked } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { type StockClient, waitFor } from '@tabla/test-clients';
import { testServer } from './harness.js';


const LANE_A = demoLaneId('A');
const LANE_B = demoLaneId('B');
const idOf = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!.id as ActivityId;
const laneOf = (doc: Y.Doc, id: ActivityId) => readBoard(doc).activityById.get(id)?.laneId;
const statusOf = (doc: Y.Doc, id: ActivityId) => readBoard(doc).activityById.get(id)?.status;

async function synced(p: StockClient): Promise<StockClient> {
  await p.synced;
  return p;
}

describe('locks, enforced by the server', () => {
  it('[PM18] a coordinator cannot edit, move out of, or move into a locked lane; others never see it; unlocking is the facilitator’s', async () => {
    const h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const inA = idOf(facilitator.doc, 'Zajednički model javnih konsultacija');
    const inB = idOf(facilitator.doc, 'Dijalog sa mladima');
    setLaneLocked(facilitator.doc, LANE_A, true);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'the lock stored');

    const attempts: [string, (d: Y.Doc) => void][] = [
      ['edit in the locked lane', (d) => editActivity(d, inA, { status: 'postponed' })],
      ['move out of the locked lane', (d) => moveActivity(d, inA, LANE_B, 0)],
      ['move into the locked lane', (d) => moveActivity(d, inB, LANE_A, 0)],
      ['unlock the lane', (d) => setLaneLocked(d, LANE_A, false)],
    ];
    for (const [what, change] of attempts) {
      const coordinator = await synced(h.connect('editor'));
      const stored = h.sync.stats.updatesStored;
      change(coordinator.doc);
      await waitFor(() => coordinator.closes.length > 0, 5000, `${what}: refused`);
      expect(coordinator.closes[0]!.code, what).toBe(CloseCode.forbidden);
      expect(h.sync.stats.updatesStored, what).toBe(stored);
      coordinator.destroy();
    }
    expect(laneOf(facilitator.doc, inA)).toBe(LANE_A);
    expect(statusOf(facilitator.doc, inA)).toBe('in_progress');
    expect(laneOf(facilitator.doc, inB)).toBe(LANE_B);

    // Outside the locked lane a coordinator works as before.
    const coordinator = await synced(h.connect('editor'));
    editActivity(coordinator.doc, inB, { status: 'postponed' });
    await waitFor(() => statusOf(facilitator.doc, inB) === 'postponed', 5000, 'the edit outside relayed');

    // Unlocked by the facilitator: the same move now passes.
    setLaneLocked(facilitator.doc, LANE_A, false);
    await waitFor(() => readBoard(coordinator.doc).lanes.find((l) => l.lane.id === LANE_A)?.lane.locked === false, 5000, 'unlock relayed');
    moveActivity(coordinator.doc, inA, LANE_B, 0);
    await waitFor(() => laneOf(facilitator.doc, inA) === LANE_B, 5000, 'the move relayed');
    expect(coordinator.closes).toEqual([]);
  });

  it('[PM18] a locked board refuses every coordinator change to activities, the facilitator still edits', async () => {
    const h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const inB = idOf(facilitator.doc, 'Dijalog sa mladima');
    setBoardLocked(facilitator.doc, true);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'the lock stored');
    const coordinator = await synced(h.connect('editor'));
    editActivity(coordinator.doc, inB, { status: 'postponed' });
    await waitFor(() => coordinator.closes.length > 0, 5000, 'refused');
    expect(coordinator.closes[0]!.code).toBe(CloseCode.forbidden);
    expect(h.sync.stats.updatesStored).toBe(1);
    editActivity(facilitator.doc, inB, { status: 'postponed' });
    await waitFor(() => h.sync.stats.updatesStored === 2, 5000, 'the facilitator’s edit stored');
  });
});

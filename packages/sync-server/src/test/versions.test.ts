/** What the versions of `apps/server` need from the core: the live state, and a watcher's hook. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { demoLaneId, moveActivity, readBoard, roots, type ActivityId } from '@tabla/plan-model';
import { waitFor, within } from '@tabla/test-clients';
import { storedView, testServer } from './harness.js';

const LANE_D = demoLaneId('D');

describe('SyncServer.currentState and onDocumentChanged', () => {
  it('gives the live board of a loaded room, the stored one otherwise, null for an unknown board', async () => {
    const seen: { boardId: string; activities: number }[] = [];
    const h = await testServer({
      sync: { onDocumentChanged: (boardId, doc) => seen.push({ boardId, activities: roots(doc).activities.size }) },
    });
    try {
      const stored = await h.sync.currentState(h.boardId);
      const cold = new Y.Doc();
      Y.applyUpdate(cold, stored!);
      expect(readBoard(cold)).toEqual(await storedView(h.storage, h.boardId));
      expect(await h.sync.currentState('no-such-board')).toBeNull();

      const a = h.connect('editor');
      await within(a.synced, 3000, 'synced');
      // Once when the board loads: the watcher's starting point.
      await waitFor(() => seen.length === 1, 3000, 'the load to be seen');
      const id = [...roots(a.doc).activities.keys()].find((x) => roots(a.doc).activities.get(x)?.get('laneId') !== LANE_D) as ActivityId;
      moveActivity(a.doc, id, LANE_D, 0);
      await waitFor(() => seen.length === 2, 3000, 'the stored update to be seen');
      expect(seen.every((s) => s.boardId === h.boardId && s.activities === 15)).toBe(true);

      const live = new Y.Doc();
      Y.applyUpdate(live, (await h.sync.currentState(h.boardId))!);
      expect(readBoard(live).activityById.get(id)?.laneId).toBe(LANE_D);
    } finally {
      await h.stop();
    }
  });
});

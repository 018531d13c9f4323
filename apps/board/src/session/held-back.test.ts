import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addActivity,
  deleteActivity,
  demoLaneId,
  demoMunicipalityId,
  editActivity,
  moveActivity,
  readBoard,
  seedDemoBoard,
  setLaneLocked,
} from '@tabla/plan-model';
import { heldBackJson, heldBackUpdate, loadHeldBack, newHeldBack, refusalKind, storeHeldBack, summarize } from './held-back.js';

const LANE_A = demoLaneId('A');
const LANE_B = demoLaneId('B');

/** The server's board, and a device's copy of it (synced), as two documents. */
function serverAndDevice() {
  const server = new Y.Doc();
  seedDemoBoard(server);
  const device = new Y.Doc();
  Y.applyUpdate(device, Y.encodeStateAsUpdate(server));
  return { server, device, byTitle: (title: string) => [...readBoard(server).activityById.values()].find((a) => a.title === title)!.id };
}

/** What a session keeps aside: the device's state beyond what the server is known to have. */
const keepAside = (device: Y.Doc, known: Y.Doc, code = 4403, reason = '') =>
  newHeldBack(code, reason, Y.encodeStateAsUpdate(device, Y.encodeStateVector(known)));

beforeEach(() => localStorage.clear());

describe('work kept aside: what it would have changed', () => {
  it('names added, changed and deleted activities with their fields, in readable values', () => {
    const { server, device, byTitle } = serverAndDevice();
    const known = new Y.Doc();
    Y.applyUpdate(known, Y.encodeStateAsUpdate(server));
    const changedId = byTitle('Odluka o LDP-u kao savjetodavnom tijelu');
    editActivity(device, changedId, { title: 'Odluka o LDP-u (nacrt)', status: 'in_progress', notes: 'Nacrt do juna' });
    const deletedId = byTitle('Dijalog sa mladima');
    deleteActivity(device, deletedId);
    addActivity(device, { title: 'Sajam volontera', leadId: demoMunicipalityId('mostar'), timeframe: '2023-Q3', budget: 1500 }, { laneId: LANE_B });

    const work = summarize(server, keepAside(device, known));
    const activities = work.summary!.activities;
    expect(activities.find((a) => a.id === changedId)).toEqual({
      id: changedId,
      change: 'changed',
      title: 'Odluka o LDP-u (nacrt)',
      lane: 'Učešće građana u odlučivanju',
      fields: [
        { field: 'title', before: 'Odluka o LDP-u kao savjetodavnom tijelu', after: 'Odluka o LDP-u (nacrt)' },
        { field: 'status', before: 'planned', after: 'in_progress' },
        { field: 'notes', before: null, after: 'Nacrt do juna' },
      ],
    });
    expect(activities.find((a) => a.change === 'deleted')).toMatchObject({ id: deletedId, title: 'Dijalog sa mladima', lane: 'Položaj mladih u lokalnoj zajednici' });
    expect(activities.find((a) => a.change === 'added')).toMatchObject({
      title: 'Sajam volontera',
      lane: 'Položaj mladih u lokalnoj zajednici',
      fields: [
        { field: 'lead', before: null, after: 'Grad Mostar' },
        { field: 'timeframe', before: null, after: '2023-Q3' },
        { field: 'budget', before: null, after: '1500' },
      ],
    });
    expect(activities).toHaveLength(3);
    expect(work.summary!.other).toEqual([]);

    // The narrowed update, applied to the server's board, is exactly the device's work.
    const restored = new Y.Doc();
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(server));
    Y.applyUpdate(restored, heldBackUpdate(work));
    expect(readBoard(restored).activityById).toEqual(readBoard(device).activityById);
  });

  it('never reports as this device’s what someone else changed on the server meanwhile', () => {
    const { server, device, byTitle } = serverAndDevice();
    const known = new Y.Doc();
    Y.applyUpdate(known, Y.encodeStateAsUpdate(server));
    const id = byTitle('Mapa prostora za mlade');
    editActivity(device, id, { notes: 'naša bilješka' });
    // Meanwhile on the server: another coordinator renames another activity, and the same one's status.
    editActivity(server, byTitle('Razmjena vijeća mladih'), { title: 'Razmjena vijeća mladih (regija)' });
    editActivity(server, id, { status: 'done' });

    const { summary } = summarize(server, keepAside(device, known));
    expect(summary!.activities).toEqual([
      { id, change: 'changed', title: 'Mapa prostora za mlade', lane: 'Položaj mladih u lokalnoj zajednici', fields: [{ field: 'notes', before: null, after: 'naša bilješka' }] },
    ]);
  });

  it('a move within a lane is a new place; a move to another lane names both lanes; the locked lane is named', () => {
    const { server, device, byTitle } = serverAndDevice();
    const known = new Y.Doc();
    Y.applyUpdate(known, Y.encodeStateAsUpdate(server));
    const within = byTitle('Obuka mladih kofacilitatora');
    moveActivity(device, within, LANE_A, 0);
    const across = byTitle('Forum građana „Dva Trnova"');
    moveActivity(device, across, LANE_B, 0);
    setLaneLocked(server, LANE_A, true);

    const { summary } = summarize(server, keepAside(device, known, 4403, `activity ${across} is in a locked lane`));
    expect(summary!.activities.find((a) => a.id === within)!.fields).toEqual([{ field: 'position', before: null, after: null }]);
    expect(summary!.activities.find((a) => a.id === across)!.fields).toEqual([
      { field: 'lane', before: 'Učešće građana u odlučivanju', after: 'Položaj mladih u lokalnoj zajednici' },
    ]);
    expect(summary!.lockedLane).toBe('Učešće građana u odlučivanju');
  });

  it('changes outside activities are named by part', () => {
    const { server, device } = serverAndDevice();
    const known = new Y.Doc();
    Y.applyUpdate(known, Y.encodeStateAsUpdate(server));
    setLaneLocked(device, LANE_B, true);
    const { summary } = summarize(server, keepAside(device, known));
    expect(summary).toEqual({ activities: [], other: ['lanes'], lockedLane: null });
  });
});

describe('why it was refused', () => {
  it('maps close codes and the server’s reasons to what the person is told', () => {
    expect(refusalKind(4403, 'activity a_1 is in a locked lane')).toBe('lockedLane');
    expect(refusalKind(4403, 'the board is locked')).toBe('lockedBoard');
    expect(refusalKind(4403, 'viewers cannot write')).toBe('viewer');
    expect(refusalKind(4403, 'editor cannot change lanes')).toBe('role');
    expect(refusalKind(4403, 'activity a_1: partner m_x can only join or leave by itself')).toBe('attribution');
    expect(refusalKind(4403, 'dots of another municipality (m_x)')).toBe('vote');
    expect(refusalKind(4403, 'something new')).toBe('forbidden');
    expect(refusalKind(4413, 'board too large')).toBe('tooLarge');
    expect(refusalKind(4422, 'title too long')).toBe('invalid');
    expect(refusalKind(1009, '')).toBe('tooBig');
    expect(refusalKind(4400, 'undecodable update')).toBe('badMessage');
  });
});

describe('kept per board link', () => {
  it('survives a reload; another link of the board does not see it; the download carries summary and update', () => {
    const work = newHeldBack(4403, 'the board is locked', new Uint8Array([1, 2, 3]), 1_700_000_000_000);
    expect(storeHeldBack('b1', 'editor-token', [work])).toBe(true);
    expect(loadHeldBack('b1', 'editor-token')).toEqual([work]);
    expect(loadHeldBack('b1', 'viewer-token')).toEqual([]);
    expect(JSON.stringify({ ...localStorage })).not.toContain('editor-token');
    const json = JSON.parse(heldBackJson('b1', work)) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'tabla.heldBack', boardId: 'b1', refusal: { code: 4403, reason: 'the board is locked' }, yjsUpdateBase64: work.update });
    storeHeldBack('b1', 'editor-token', []);
    expect(loadHeldBack('b1', 'editor-token')).toEqual([]);
  });
});

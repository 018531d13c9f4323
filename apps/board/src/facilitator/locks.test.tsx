import { act, cleanup, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createUndoManager, demoLaneId, demoMunicipalityId, editActivity, readBoard, seedDemoBoard, setBoardLocked, setLaneLocked } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Board } from '../ui/Board.js';
import { UndoButtons } from '../ui/UndoButtons.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
});
afterEach(() => {
  cleanup();
  doc.destroy();
});

const renderBoard = (role: SessionState['role']) =>
  renderWithSession(fakeSession(doc, { role }), <Board onAdd={() => {}} onEdit={() => {}} ownMunicipalityId={demoMunicipalityId('noviTravnik')} />, i18n);

const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const lane = (title: string) => screen.getByRole('region', { name: title });
const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
/** What a coordinator could do in a lane: add, edit, join, and drag (a draggable card says so). */
const controls = (title: string) => ({
  add: within(lane(title)).queryAllByRole('button', { name: /Dodaj aktivnost/ }).length,
  edit: within(lane(title)).queryAllByRole('button', { name: /^Uredi/ }).length,
  partner: within(lane(title)).queryAllByRole('button', { name: /Pridruži se|Napusti/ }).length,
  draggable: within(lane(title)).getAllByRole('article').filter((a) => a.getAttribute('aria-roledescription')).length,
});

describe('locks on the board', () => {
  it('a locked lane: badge for everyone; a coordinator can no longer add, edit, join or drag there', async () => {
    renderBoard('editor');
    expect(controls(LANE_A)).toEqual({ add: 1, edit: 4, partner: 4, draggable: 4 }); // Novi Travnik leads none there
    act(() => setLaneLocked(doc, demoLaneId('A'), true));
    await frame();
    expect(within(lane(LANE_A)).getByText('Zaključano')).toBeTruthy();
    expect(controls(LANE_A)).toEqual({ add: 0, edit: 0, partner: 0, draggable: 0 });
    expect(controls(LANE_B)).toMatchObject({ add: 1, edit: 4, draggable: 4 });
    expect(within(lane(LANE_B)).queryByText('Zaključano')).toBeNull();
    expect(document.querySelector('.lock-banner')).toBeNull();
    // A drop over the locked lane lands nowhere (not in the nearest open lane).
    expect(lane(LANE_A).querySelectorAll('.lock-drop')).toHaveLength(1);
    expect(document.querySelectorAll('.lock-drop')).toHaveLength(1);
  });

  it('the facilitator still can do everything in a locked lane', async () => {
    renderBoard('facilitator');
    act(() => setLaneLocked(doc, demoLaneId('A'), true));
    await frame();
    expect(within(lane(LANE_A)).getByText('Zaključano')).toBeTruthy();
    expect(controls(LANE_A)).toMatchObject({ add: 1, edit: 4, draggable: 4 });
    expect(document.querySelectorAll('.lock-drop')).toHaveLength(0);
  });

  it('a locked board: every lane and the pool, with a banner; unlocking gives everything back', async () => {
    renderBoard('editor');
    act(() => setBoardLocked(doc, true));
    await frame();
    expect(screen.getAllByText('Zaključano')).toHaveLength(5); // four lanes and the pool
    expect(screen.queryAllByRole('button', { name: /Dodaj aktivnost|^Uredi/ })).toHaveLength(0);
    const banner = document.querySelector('.lock-banner')!;
    expect(banner.getAttribute('role')).toBe('status');
    expect(banner.textContent).toBe('Tabla je zaključana: plan je usaglašen i aktivnosti se više ne mogu mijenjati.');
    act(() => setBoardLocked(doc, false));
    await frame();
    expect(screen.queryAllByText('Zaključano')).toHaveLength(0);
    expect(screen.getAllByRole('button', { name: /Dodaj aktivnost/ })).toHaveLength(5);
    expect(document.querySelector('.lock-banner')).toBeNull();
  });

  it('the facilitator sees that the board is locked for the others', async () => {
    renderBoard('facilitator');
    act(() => setBoardLocked(doc, true));
    await frame();
    expect(document.querySelector('.lock-banner')!.textContent).toContain('Tabla je zaključana za koordinatore');
    expect(screen.getAllByRole('button', { name: /Dodaj aktivnost/ })).toHaveLength(5);
  });

  it('undo of a change in a lane locked since: refused here with a message, nothing sent; allowed again once unlocked', async () => {
    renderWithSession(fakeSession(doc, { role: 'editor' }, { undoManager: createUndoManager(doc) }), <UndoButtons />, i18n);
    const activity = readBoard(doc).lanes.find((l) => l.lane.id === demoLaneId('B'))!.activities[0]!;
    act(() => editActivity(doc, activity.id, { status: 'postponed' }));
    setLaneLocked(doc, demoLaneId('B'), true, { source: 'remote', connectionId: 'facilitator' }); // not this person's own step
    let updates = 0;
    doc.on('update', () => updates++);
    await act(async () => screen.getByRole('button', { name: /Poništi/ }).click());
    expect(screen.getByRole('status').textContent).toMatch(/ne može poništiti: oblast ili tabla je u međuvremenu zaključana/);
    expect(updates).toBe(0);
    expect(readBoard(doc).activityById.get(activity.id)!.status).toBe('postponed');
    expect(screen.getByRole('button', { name: 'Preskoči ovaj korak' })).toBeTruthy();
    setLaneLocked(doc, demoLaneId('B'), false, { source: 'remote', connectionId: 'facilitator' });
    await act(async () => screen.getByRole('button', { name: /Poništi/ }).click());
    expect(readBoard(doc).activityById.get(activity.id)!.status).toBe('done');
    expect(screen.getByRole('status').textContent).toBe('');
    // Refused again (redo into a lane locked since): set aside, nothing is sent and redo has nothing left.
    setLaneLocked(doc, demoLaneId('B'), true, { source: 'remote', connectionId: 'facilitator' });
    await act(async () => screen.getByRole('button', { name: /Ponovi/ }).click());
    await act(async () => screen.getByRole('button', { name: 'Preskoči ovaj korak' }).click());
    expect(readBoard(doc).activityById.get(activity.id)!.status).toBe('done');
    expect((screen.getByRole('button', { name: /Ponovi/ }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Preskoči ovaj korak' })).toBeNull();
  });
});

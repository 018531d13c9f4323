import { act, cleanup, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addActivity, demoLaneId, demoMunicipalityId, readBoard, seedDemoBoard, setLaneLocked } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Board } from './Board.js';
import { accessOf, permissionsOf } from './permissions.js';

const MOSTAR = demoMunicipalityId('mostar');
const BUGOJNO = demoMunicipalityId('bugojno');

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

const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const renderBoard = (state: Partial<SessionState>, own: string) =>
  renderWithSession(fakeSession(doc, state), <Board onAdd={() => {}} onEdit={() => {}} ownMunicipalityId={own as never} />, i18n);
const joinButton = (title: string) => within(screen.getByRole('article', { name: title })).queryByRole('button', { name: /^Pridruži se/ });

describe('the board asks the write policy', () => {
  it('what a link grants, as the policy takes it; one answer per board view and access', () => {
    expect(accessOf({ role: null, municipalityId: null })).toBeNull();
    expect(accessOf({ role: 'editor', municipalityId: undefined as never })).toEqual({ role: 'editor', municipalityId: null });
    const view = readBoard(doc);
    const state = { role: 'editor', municipalityId: MOSTAR } as const;
    expect(permissionsOf(state, view)).toBe(permissionsOf({ ...state }, view));
    expect(permissionsOf(state, view)).not.toBe(permissionsOf({ role: 'editor', municipalityId: null }, view));
  });

  it('[PM24] a card offers joining where the server accepts it: a bound link on any card, a link bound to none on unsigned ones', async () => {
    addActivity(doc, { title: 'Bugojanska' }, { laneId: demoLaneId('A') }, { createdBy: BUGOJNO });
    const { unmount } = renderBoard({ role: 'editor', municipalityId: MOSTAR }, MOSTAR);
    expect(joinButton('Bugojanska')).toBeTruthy();
    expect(joinButton('Katalog usluga u regiji')).toBeTruthy();
    unmount();
    // The general link, with Mostar only picked: another municipality's activity is not its to join for Mostar.
    renderBoard({ role: 'editor', municipalityId: null }, MOSTAR);
    expect(joinButton('Bugojanska')).toBeNull();
    expect(joinButton('Katalog usluga u regiji')).toBeTruthy();
    // A lock takes it away (and brings it back), as the server refuses it there.
    act(() => setLaneLocked(doc, demoLaneId('C'), true));
    await frame();
    expect(joinButton('Katalog usluga u regiji')).toBeNull();
  });
});

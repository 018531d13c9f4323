import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addActivity, demoLaneId, demoMunicipalityId, readBoard, seedDemoBoard, setActivityPartner, setLaneLocked } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { ActivityDialog } from './ActivityDialog.js';

const MOSTAR = demoMunicipalityId('mostar');
const BUGOJNO = demoMunicipalityId('bugojno');
const TRNOVO = demoMunicipalityId('trnovoF');

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

/** Mostar's activity, opened in the editor by a coordinator on Bugojno's own link. */
function openAsBugojno() {
  const id = addActivity(doc, { title: 'Mostarska ruta', leadId: MOSTAR, partners: [TRNOVO] }, { laneId: demoLaneId('B') }, { createdBy: MOSTAR });
  const onClose = vi.fn();
  const activity = readBoard(doc).activityById.get(id)!;
  // As the app does: the dialog gets the live board.
  function Live() {
    return <ActivityDialog target={{ mode: 'edit', activity }} board={useBoard(doc)} onClose={onClose} />;
  }
  renderWithSession(fakeSession(doc, { role: 'editor', municipalityId: BUGOJNO }), <Live />, i18n);
  return { id, onClose };
}
/** Lets the board store's once-per-frame notification through. */
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const save = () => act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sačuvaj', hidden: true })));

describe('the activity dialog sends only what the server accepts', () => {
  it('on another municipality’s activity: only its own partner box and no lead to take; the proposer is named', () => {
    openAsBugojno();
    expect((screen.getByRole('checkbox', { name: /Općina Trnovo/, hidden: true }) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('checkbox', { name: /Općina Bugojno/, hidden: true }) as HTMLInputElement).disabled).toBe(false);
    expect((screen.getByRole('combobox', { name: 'Nosilac', hidden: true }) as HTMLSelectElement).disabled).toBe(true);
    expect(screen.getByText('Predlagač: Grad Mostar')).toBeTruthy();
  });

  it('writes only what changed: a partner who joined while it was open stays', async () => {
    const { id, onClose } = openAsBugojno();
    setActivityPartner(doc, id, demoMunicipalityId('noviTravnik'), true); // someone joins meanwhile
    await frame();
    fireEvent.click(screen.getByRole('checkbox', { name: /Općina Bugojno/, hidden: true }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Napomena', hidden: true }), { target: { value: 'Bugojno se pridružuje' } });
    await save();
    const after = readBoard(doc).activityById.get(id)!;
    expect(after.partners).toEqual([BUGOJNO, demoMunicipalityId('noviTravnik'), TRNOVO].sort());
    expect(after.notes).toBe('Bugojno se pridružuje');
    expect(onClose).toHaveBeenCalled();
  });

  it('a lane locked while it was open: says so and sends nothing', async () => {
    const { id, onClose } = openAsBugojno();
    setLaneLocked(doc, demoLaneId('B'), true);
    await frame();
    let updates = 0;
    doc.on('update', () => updates++);
    fireEvent.change(screen.getByRole('textbox', { name: 'Napomena', hidden: true }), { target: { value: 'kasno' } });
    await save();
    expect(screen.getByRole('alert', { hidden: true }).textContent).toMatch(/u međuvremenu zaključana/);
    expect(updates).toBe(0);
    expect(readBoard(doc).activityById.get(id)!.notes).toBeUndefined();
    expect(onClose).not.toHaveBeenCalled();
  });
});

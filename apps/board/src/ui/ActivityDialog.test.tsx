import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addActivity, createUndoManager, demoLaneId, demoMunicipalityId, editActivity, readBoard, seedDemoBoard, setActivityPartner, setLaneLocked } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { ActivityDialog } from './ActivityDialog.js';
import { NoticesProvider } from './Notices.js';

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

describe('deleting asks in the board’s own dialog, and can be undone', () => {
  /** Mostar's own activity, opened by Mostar's coordinator, with the session's undo manager and the notices. */
  function openOwn() {
    const id = addActivity(doc, { title: 'Mostarska ruta', leadId: MOSTAR }, { laneId: demoLaneId('B') }, { createdBy: MOSTAR });
    const undoManager = createUndoManager(doc);
    const onClose = vi.fn();
    const activity = readBoard(doc).activityById.get(id)!;
    function Live() {
      return <ActivityDialog target={{ mode: 'edit', activity }} board={useBoard(doc)} onClose={onClose} />;
    }
    renderWithSession(
      fakeSession(doc, { role: 'editor', municipalityId: MOSTAR }, { undoManager }),
      <NoticesProvider>
        <Live />
      </NoticesProvider>,
      i18n,
    );
    return { id, onClose, undoManager };
  }
  const button = (name: string) => screen.getByRole('button', { name, hidden: true });
  const question = () => screen.queryByRole('group', { name: 'Obrisati aktivnost „Mostarska ruta"?', hidden: true });

  it('no browser confirm: a question in the dialog, the focus on it; Escape answers no and gives the focus back', () => {
    const confirm = vi.spyOn(window, 'confirm');
    const { id, onClose } = openOwn();
    fireEvent.click(button('Obriši'));
    expect(question()).not.toBeNull();
    expect(question()!.textContent).toContain('Brisanje možete odmah poništiti');
    expect(document.activeElement).toBe(button('Da, obriši'));
    fireEvent.keyDown(button('Da, obriši'), { key: 'Escape' });
    expect(question()).toBeNull();
    expect(document.activeElement).toBe(button('Obriši'));
    expect(readBoard(doc).activityById.has(id)).toBe(true);
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(button('Obriši'));
    fireEvent.click(within(question()!).getByRole('button', { name: 'Odustani', hidden: true }));
    expect(question()).toBeNull();
    expect(readBoard(doc).activityById.has(id)).toBe(true);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('deleted: a notice says so, and its "Poništi" brings the activity back through the undo manager', () => {
    const { id, onClose, undoManager } = openOwn();
    fireEvent.click(button('Obriši'));
    fireEvent.click(button('Da, obriši'));
    expect(readBoard(doc).activityById.has(id)).toBe(false);
    expect(onClose).toHaveBeenCalled();
    const notices = screen.getByRole('status', { name: 'Obavijesti' });
    expect(notices.textContent).toContain('Aktivnost „Mostarska ruta" je obrisana.');
    fireEvent.click(within(notices).getByRole('button', { name: 'Poništi' }));
    expect(readBoard(doc).activityById.get(id)?.title).toBe('Mostarska ruta');
    expect(undoManager.redoStack).toHaveLength(1); // an ordinary undo: "Ponovi" would delete it again
    expect(notices.textContent).toContain('Aktivnost „Mostarska ruta" je vraćena.');
  });

  it('"Poništi" after other changes of this person: says why not, and undoes nothing else', () => {
    const { id } = openOwn();
    fireEvent.click(button('Obriši'));
    fireEvent.click(button('Da, obriši'));
    const other = [...readBoard(doc).activityById.values()].find((a) => a.id !== id)!;
    editActivity(doc, other.id, { notes: 'kasnije' }); // a later step of this person
    fireEvent.click(within(screen.getByRole('status', { name: 'Obavijesti' })).getByRole('button', { name: 'Poništi' }));
    expect(readBoard(doc).activityById.has(id)).toBe(false);
    expect(readBoard(doc).activityById.get(other.id)!.notes).toBe('kasnije');
    expect(screen.getByRole('status', { name: 'Obavijesti' }).textContent).toContain('nakon njega ste napravili druge izmjene');
  });

  it('a lane locked while it was open: says so, deletes nothing', async () => {
    const { id } = openOwn();
    setLaneLocked(doc, demoLaneId('B'), true);
    await frame();
    fireEvent.click(button('Obriši'));
    fireEvent.click(button('Da, obriši'));
    expect(readBoard(doc).activityById.has(id)).toBe(true);
    expect(screen.getByRole('alert', { hidden: true }).textContent).toMatch(/u međuvremenu zaključana/);
  });
});

import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addProgressNote, agreePlan, demoMunicipalityId, readBoard, seedDemoBoard } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { ActivityDialog } from './ActivityDialog.js';
import { formatDate } from './date-format.js';

const MOSTAR = demoMunicipalityId('mostar');
const TRNOVO = demoMunicipalityId('trnovoF');
/** Led by Mostar (partners Novi Travnik and Bugojno). */
const TITLE = 'Odluka o LDP-u kao savjetodavnom tijelu';

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

const activityId = () => [...readBoard(doc).activityById.values()].find((a) => a.title === TITLE)!.id;
function open(municipalityId: string | null) {
  const activity = readBoard(doc).activityById.get(activityId())!;
  function Live() {
    return <ActivityDialog target={{ mode: 'edit', activity }} board={useBoard(doc)} onClose={vi.fn()} />;
  }
  renderWithSession(fakeSession(doc, { role: 'editor', municipalityId: municipalityId as never }), <Live />, i18n);
}
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));

describe('the activity dialog: "Napredak"', () => {
  it('shows the history, dated in the language, and adds a note signed with the link\'s municipality', async () => {
    const at = new Date(2026, 2, 5, 12).getTime();
    addProgressNote(doc, activityId(), { text: 'Nacrt odluke pripremljen', percent: 30, status: 'in_progress', by: MOSTAR, at });
    open(MOSTAR);
    expect(screen.getByRole('heading', { name: 'Napredak', hidden: true })).toBeTruthy();
    expect(screen.getByText('Nacrt odluke pripremljen')).toBeTruthy();
    expect(document.querySelector('.progress__meta')!.textContent).toBe('5. mart 2026. · Grad Mostar · U toku · 30 %');

    fireEvent.change(screen.getByRole('textbox', { name: 'Bilješka o napretku', hidden: true }), { target: { value: 'Odluka usvojena na vijeću' } });
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Urađeno (%)', hidden: true }), { target: { value: '100' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Novi status', hidden: true }), { target: { value: 'done' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Dodaj bilješku o napretku', hidden: true })));
    await frame();
    const a = readBoard(doc).activityById.get(activityId())!;
    expect(a.status).toBe('done');
    expect(a.progress!.map((n) => [n.text, n.by, n.percent])).toEqual([
      ['Nacrt odluke pripremljen', MOSTAR, 30],
      ['Odluka usvojena na vijeću', MOSTAR, 100],
    ]);
    expect(screen.getByText('Odluka usvojena na vijeću')).toBeTruthy();
    // The old note is still there, as written.
    expect(screen.getByText('Nacrt odluke pripremljen')).toBeTruthy();
  });

  it('refuses an empty note or a bad percentage, and offers no form to a municipality not in the activity', async () => {
    open(MOSTAR);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Dodaj bilješku o napretku', hidden: true })));
    expect(screen.getByRole('alert', { hidden: true }).textContent).toBe('Upišite bilješku.');
    fireEvent.change(screen.getByRole('textbox', { name: 'Bilješka o napretku', hidden: true }), { target: { value: 'x' } });
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Urađeno (%)', hidden: true }), { target: { value: '150' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Dodaj bilješku o napretku', hidden: true })));
    expect(screen.getByRole('alert', { hidden: true }).textContent).toMatch(/od 0 do 100/);
    expect(readBoard(doc).activityById.get(activityId())!.progress).toBeUndefined();
    cleanup();
    open(TRNOVO);
    expect(screen.getByText('Još nema bilješki o napretku.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Dodaj bilješku o napretku', hidden: true })).toBeNull();
  });

  it('on an agreed (locked) plan: the card opens read-only, and a note can still be added', async () => {
    agreePlan(doc);
    open(MOSTAR);
    expect(screen.getByText(/Plan je zaključan: aktivnost se ne mijenja/)).toBeTruthy();
    expect(screen.getByRole('textbox', { name: /^Aktivnost/, hidden: true }).matches(':disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Sačuvaj', hidden: true })).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'Bilješka o napretku', hidden: true }), { target: { value: 'Počelo' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Dodaj bilješku o napretku', hidden: true })));
    expect(readBoard(doc).activityById.get(activityId())!.progress![0]!.text).toBe('Počelo');
  });

  it('formats dates per language without Bosnian data in Intl (as the plan document writes them)', () => {
    const at = new Date(2026, 11, 1, 10).getTime();
    expect(formatDate('bs', at)).toBe('1. decembar 2026.');
    expect(formatDate('sr-Cyrl-BA', at)).toBe('1. децембар 2026.');
    expect(formatDate('en', at)).toBe('1 December 2026');
  });
});

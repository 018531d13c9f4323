import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addMunicipality, createLane, readBoard, seedDemoBoard, setWallView } from '@tabla/plan-model';
import { ProjectorContext } from '../facilitation/context.js';
import ProjectorPanel from '../facilitation/ProjectorPanel.js';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import CommitmentsPanel from './CommitmentsPanel.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
const onClose = vi.fn();
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  onClose.mockReset();
});
afterEach(() => {
  cleanup();
  doc.destroy();
});

const LANES = ['Učešće građana u odlučivanju', 'Položaj mladih u lokalnoj zajednici', 'Podrška djeci i mladima s poteškoćama u razvoju', 'Održivost LDP-a i međuopštinska saradnja'];

const renderPanel = () => renderWithSession(fakeSession(doc, { role: 'editor' }), <CommitmentsPanel onClose={onClose} />, i18n);
const table = () => screen.getByRole('table', { hidden: true });
/** What each cell of a municipality's row says to a screen reader, lane by lane. */
function rowOf(name: string): string[] {
  const header = within(table()).getByRole('rowheader', { name, hidden: true });
  const cells = within(header.closest('tr')!).getAllByRole('cell', { hidden: true });
  return cells.map((c) => c.querySelector('.visually-hidden')!.textContent!);
}

describe('Pregled obaveza', () => {
  it('is a dialog named by its heading, with one column per priority area; Escape closes it', () => {
    renderPanel();
    const dialog = screen.getByRole('dialog', { hidden: true });
    expect(dialog.tagName).toBe('DIALOG');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Pregled obaveza');
    const headers = within(table()).getAllByRole('columnheader', { hidden: true }).map((h) => h.textContent);
    expect(headers).toEqual(['Općina / opština / grad', ...LANES]);
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('counts what each municipality leads and joins on the demo board (partners not counting the lead)', () => {
    renderPanel();
    expect(within(table()).getAllByRole('rowheader', { hidden: true })).toHaveLength(8);
    expect(rowOf('Općina Novo Sarajevo')).toEqual(['nosilac: 1, partner: 1', 'nosilac: 1, partner: 0', 'nosilac: 1, partner: 1', 'nosilac: 0, partner: 1']);
    expect(rowOf('Opština Istočno Novo Sarajevo')).toEqual(['nosilac: 1, partner: 1', 'nosilac: 0, partner: 2', 'nosilac: 0, partner: 1', 'nosilac: 1, partner: 0']);
    expect(rowOf('Općina Bugojno (primjer)')).toEqual(['nosilac: 0, partner: 1', 'nosilac: 0, partner: 1', 'nosilac: 0, partner: 1', 'nosilac: 0, partner: 1']);
    // Every demo municipality takes part in every area, and every area has a lead.
    expect(table().querySelectorAll('[data-gap]')).toHaveLength(0);
    expect(screen.queryByText(/Oblast bez nosioca/)).toBeNull();
    expect(screen.getByText('Praznine: 0')).toBeTruthy();
  });

  it('marks the gaps: a municipality with nothing in an area, an area nobody leads (a sign and words, not colour alone)', () => {
    createLane(doc, { title: 'Zelene javne površine' });
    addMunicipality(doc, { name: 'Općina Primjer', color: '#7a3e9d' });
    renderPanel();
    const newLane = within(table()).getByRole('columnheader', { name: /Zelene javne površine/, hidden: true });
    expect(newLane.textContent).toContain('Oblast bez nosioca');
    expect(newLane.className).toContain('commitments__lane--no-lead');
    // The new municipality: nothing anywhere; everyone: nothing in the new area.
    expect(rowOf('Općina Primjer')).toEqual(Array(5).fill('Bez obaveza u ovoj oblasti'));
    expect(rowOf('Grad Mostar')).toEqual(['nosilac: 1, partner: 0', 'nosilac: 1, partner: 0', 'nosilac: 0, partner: 1', 'nosilac: 0, partner: 1', 'Bez obaveza u ovoj oblasti']);
    const gaps = table().querySelectorAll('[data-gap]');
    expect(gaps).toHaveLength(9 + 4);
    expect([...gaps].every((g) => g.textContent!.includes('—'))).toBe(true);
    expect(screen.getByText('Praznine: 13')).toBeTruthy();
  });

  it('shows each municipality in its board colour', () => {
    renderPanel();
    const header = within(table()).getByRole('rowheader', { name: 'Grad Mostar', hidden: true });
    expect((header.querySelector('.swatch') as HTMLElement).style.background).not.toBe('');
  });

  it('follows the board live', async () => {
    renderPanel();
    act(() => {
      createLane(doc, { title: 'Nova oblast' });
    });
    await act(() => new Promise((r) => setTimeout(r, 40)));
    expect(within(table()).getByRole('columnheader', { name: /Nova oblast/, hidden: true })).toBeTruthy();
  });

  it('in Serbian, the words are Cyrillic', async () => {
    const sr = await setupI18n('sr-Cyrl-BA');
    renderWithSession(fakeSession(doc, { role: 'viewer' }), <CommitmentsPanel onClose={onClose} />, sr);
    expect(within(table()).getAllByRole('columnheader', { hidden: true })[0]!.textContent).toBe('Општина / град');
    expect(rowOf('Grad Mostar')[0]).toBe('носилац: 1, партнер: 0');
  });
});

describe('on the projector', () => {
  const renderProjector = (role: 'facilitator' | 'viewer') =>
    renderWithSession(
      fakeSession(doc, { role }),
      <ProjectorContext.Provider value={{ projector: true, codes: new Map<string, string>() }}>
        <ProjectorPanel />
      </ProjectorContext.Provider>,
      i18n,
    );
  const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));

  it('the facilitator shows the matrix on every projector (wallView), with the municipality codes', async () => {
    renderProjector('facilitator');
    expect(screen.queryByRole('table')).toBeNull();
    const toggle = screen.getByRole('button', { name: 'Pregled obaveza na projektoru' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(readBoard(doc).facilitation.wallView).toBe('matrix');
    await frame();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('table').closest('.projector-commitments')).toBeTruthy();
    expect(rowOf('Općina Trnovo')).toEqual(['nosilac: 1, partner: 1', 'nosilac: 0, partner: 1', 'nosilac: 1, partner: 1', 'nosilac: 0, partner: 1']);
    fireEvent.click(toggle);
    expect(readBoard(doc).facilitation.wallView).toBeNull();
    await frame();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('a projector of the read-only link follows the facilitator\'s choice, with no switch of its own', async () => {
    renderProjector('viewer');
    expect(screen.queryByRole('button', { name: 'Pregled obaveza na projektoru' })).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
    act(() => setWallView(doc, 'matrix'));
    await frame();
    expect(screen.getByRole('table').closest('.projector-commitments')).toBeTruthy();
  });
});

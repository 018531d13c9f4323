import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { DEMO_TITLE, demoLaneId, readBoard, seedDemoBoard } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import SetupPanel from './SetupPanel.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
let transactions = 0;
const onClose = vi.fn();

const renderPanel = () =>
  renderWithSession(fakeSession(doc, { role: 'facilitator' }, { link: { boardId: 'demo', token: 'fac-token' } }), <SetupPanel onClose={onClose} />, i18n);

/** Lets the board store's once-per-frame notification through. */
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const dialog = () => screen.getByRole('dialog', { hidden: true });
const lanesShown = () => readBoard(doc).lanes.map((l) => l.lane.title);
const group = (name: string) => within(dialog()).getByRole('group', { name, hidden: true });
const button = (scope: HTMLElement, name: string) => within(scope).getByRole('button', { name, hidden: true });

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';

beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  transactions = 0;
  doc.on('afterTransaction', () => transactions++);
  onClose.mockReset();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  doc.destroy();
});

describe('Postavke table', () => {
  it('is a modal dialog named by its heading; Escape closes it', () => {
    renderPanel();
    const d = dialog();
    expect(d.tagName).toBe('DIALOG');
    expect(d.getAttribute('aria-labelledby')).toBeTruthy();
    expect(document.getElementById(d.getAttribute('aria-labelledby')!)!.textContent).toBe('Postavke table');
    fireEvent(d, new Event('cancel', { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('renames the board in one transaction, and refuses an empty title with a message', async () => {
    renderPanel();
    const title = within(dialog()).getByLabelText('Naziv table');
    expect((title as HTMLInputElement).value).toBe(DEMO_TITLE);
    fireEvent.change(title, { target: { value: '   ' } });
    fireEvent.click(button(title.closest('form')!, 'Sačuvaj'));
    expect(within(dialog()).getByRole('alert', { hidden: true }).textContent).toBe('Upišite naziv table.');
    expect(title.getAttribute('aria-invalid')).toBe('true');
    expect(transactions).toBe(0);
    fireEvent.change(title, { target: { value: ' MLDP Igman 2022 ' } });
    fireEvent.submit(title.closest('form')!);
    expect(transactions).toBe(1);
    expect(readBoard(doc).meta.title).toBe('MLDP Igman 2022');
    await frame();
    expect(within(dialog()).getByText('Naziv table je sačuvan.')).toBeTruthy();
  });

  it('renames and recolours a lane in one transaction', () => {
    renderPanel();
    const lane = group(LANE_A);
    fireEvent.change(within(lane).getByLabelText('Naziv oblasti'), { target: { value: 'Učešće građana' } });
    fireEvent.change(within(lane).getByLabelText('Boja'), { target: { value: '#123abc' } });
    fireEvent.click(button(lane, 'Sačuvaj'));
    expect(transactions).toBe(1);
    const saved = readBoard(doc).lanes.find((l) => l.lane.id === demoLaneId('A'))!.lane;
    expect(saved).toMatchObject({ title: 'Učešće građana', color: '#123abc' });
  });

  it('moves lanes up and down, archives one and brings it back, locks one', async () => {
    renderPanel();
    expect(button(group(LANE_A), 'Gore').hasAttribute('disabled')).toBe(true);
    fireEvent.click(button(group(LANE_B), 'Gore'));
    expect(transactions).toBe(1);
    expect(lanesShown().slice(0, 2)).toEqual([LANE_B, LANE_A]);
    await frame();
    fireEvent.click(button(group(LANE_B), 'Dolje'));
    expect(lanesShown().slice(0, 2)).toEqual([LANE_A, LANE_B]);
    await frame();

    fireEvent.click(button(group(LANE_A), 'Arhiviraj'));
    expect(lanesShown()).not.toContain(LANE_A);
    expect(readBoard(doc).archivedLanes.map((l) => l.lane.title)).toEqual([LANE_A]);
    await frame();
    fireEvent.click(button(dialog(), `Vrati na tablu: ${LANE_A}`));
    expect(lanesShown()[0]).toBe(LANE_A); // back in its place
    await frame();

    fireEvent.click(button(group(LANE_A), 'Zaključaj')); // the name in full: not 'Zaključaj cijelu tablu'
    expect(readBoard(doc).lanes[0]!.lane.locked).toBe(true);
    await frame();
    expect(within(group(LANE_A)).getByText('Zaključano')).toBeTruthy();
    fireEvent.click(button(group(LANE_A), 'Otključaj'));
    expect(readBoard(doc).lanes[0]!.lane.locked).toBe(false);
  });

  it('adds a lane at the end, refusing an empty title', async () => {
    renderPanel();
    const add = within(dialog()).getByRole('form', { name: 'Nova oblast', hidden: true });
    fireEvent.click(button(add, 'Dodaj oblast'));
    expect(within(add).getByRole('alert', { hidden: true }).textContent).toBe('Upišite naziv oblasti.');
    expect(transactions).toBe(0);
    fireEvent.change(within(add).getByLabelText('Naziv nove oblasti'), { target: { value: 'Digitalna participacija' } });
    fireEvent.click(button(add, 'Dodaj oblast'));
    expect(transactions).toBe(1);
    expect(lanesShown().at(-1)).toBe('Digitalna participacija');
    await frame();
    expect((within(add).getByLabelText('Naziv nove oblasti') as HTMLInputElement).value).toBe('');
  });

  it('locks and unlocks the whole board', async () => {
    renderPanel();
    fireEvent.click(button(dialog(), 'Zaključaj cijelu tablu'));
    expect(readBoard(doc).meta.locked).toBe(true);
    await frame();
    fireEvent.click(button(dialog(), 'Otključaj tablu'));
    expect(readBoard(doc).meta.locked).toBe(false);
  });

  it('adds and edits municipalities: own names only, kind and colour in one transaction', async () => {
    renderPanel();
    const add = within(dialog()).getByRole('form', { name: 'Nova općina, opština ili grad', hidden: true });
    const name = within(add).getByLabelText('Naziv (npr. Općina Trnovo)');
    fireEvent.change(name, { target: { value: 'opština trnovo' } });
    fireEvent.click(button(add, 'Dodaj'));
    expect(within(add).getByRole('alert', { hidden: true }).textContent).toBe('„opština trnovo" već postoji na ovoj tabli.');
    expect(transactions).toBe(0);
    fireEvent.change(name, { target: { value: 'Opština Pale' } });
    fireEvent.change(within(add).getByLabelText('Vrsta'), { target: { value: 'opstina' } });
    fireEvent.click(button(add, 'Dodaj'));
    expect(transactions).toBe(1);
    expect(readBoard(doc).municipalities.find((m) => m.name === 'Opština Pale')).toMatchObject({ kind: 'opstina' });
    await frame();

    const mostar = group('Grad Mostar');
    fireEvent.change(within(mostar).getByLabelText('Naziv'), { target: { value: 'Grad Mostar (FBiH)' } });
    fireEvent.change(within(mostar).getByLabelText('Boja'), { target: { value: '#00aa11' } });
    fireEvent.click(button(mostar, 'Sačuvaj'));
    expect(transactions).toBe(2);
    expect(readBoard(doc).municipalities.find((m) => m.name === 'Grad Mostar (FBiH)')).toMatchObject({ color: '#00aa11', kind: 'grad' });
  });

  it('a new editor link: warns first, then shows the link; revoking asks too', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit) =>
      init.method === 'POST'
        ? Response.json({ role: 'editor', token: 'new', link: 'http://localhost/b/demo?token=new' })
        : init.method === 'GET'
          ? Response.json({ roles: {}, municipalities: {} })
          : new Response(null, { status: 204 }),
    );
    vi.stubGlobal('fetch', fetchMock);
    // Listing which links exist happens on its own; these are the changes.
    const changes = () => fetchMock.mock.calls.filter(([, init]) => init.method !== 'GET');
    renderPanel();
    const editor = group('Koordinator/ica');
    fireEvent.click(button(editor, 'Novi link'));
    expect(within(editor).getByText(/odmah prestaje raditi, a svi koji su ga otvorili bit će isključeni/)).toBeTruthy();
    expect(changes()).toHaveLength(0);
    await act(async () => fireEvent.click(button(editor, 'Da, napravi novi link')));
    expect(changes()).toHaveLength(1);
    expect(changes()[0]![0]).toBe('/api/boards/demo/links/editor');
    const link = within(editor).getByLabelText('Novi link za ulogu „Koordinator/ica"') as HTMLInputElement;
    expect(link.value).toBe('http://localhost/b/demo?token=new');
    expect(link.readOnly).toBe(true);
    expect(button(editor, 'Kopiraj')).toBeTruthy();

    const viewer = group('Samo pregled');
    fireEvent.click(button(viewer, 'Opozovi'));
    fireEvent.click(button(viewer, 'Odustani'));
    expect(changes()).toHaveLength(1);
    fireEvent.click(button(viewer, 'Opozovi'));
    await act(async () => fireEvent.click(button(viewer, 'Da, opozovi link')));
    expect(changes()[1]![1].method).toBe('DELETE');
    expect(within(viewer).getByText('Link za ulogu „Samo pregled" je opozvan.')).toBeTruthy();
  });

  it('one coordinator link per municipality: shows which exist, issues one bound to the municipality', async () => {
    let issued: Record<string, { issuedAt: number }> = { m_bugojno: { issuedAt: Date.UTC(2026, 10, 27, 9, 30) } };
    const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
      if (init.method === 'GET') return Response.json({ roles: {}, municipalities: issued });
      issued = { ...issued, m_mostar: { issuedAt: Date.now() } };
      return Response.json({ role: 'editor', municipalityId: 'm_mostar', token: 'mo', link: 'http://localhost/b/demo?token=mo' });
    });
    vi.stubGlobal('fetch', fetchMock);
    renderPanel();
    const mostar = group('Koordinator/ica – Grad Mostar');
    await waitFor(() => expect(within(mostar).getByText('Još nema linka.')).toBeTruthy());
    expect(within(group('Koordinator/ica – Općina Bugojno (primjer)')).getByText(/^Link je izdan /)).toBeTruthy();
    fireEvent.click(button(mostar, 'Novi link'));
    expect(within(mostar).getByText(/„Koordinator\/ica – Grad Mostar" odmah prestaje raditi/)).toBeTruthy();
    await act(async () => fireEvent.click(button(mostar, 'Da, napravi novi link')));
    expect(fetchMock.mock.calls.find(([, init]) => init.method === 'POST')![0]).toBe('/api/boards/demo/links/editor/m_mostar');
    expect((within(mostar).getByLabelText('Novi link za ulogu „Koordinator/ica – Grad Mostar"') as HTMLInputElement).value).toBe('http://localhost/b/demo?token=mo');
    await waitFor(() => expect(within(mostar).getByText(/^Link je izdan /)).toBeTruthy());
  });

  it('says so when the server refuses the facilitator token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ error: 'no' }, { status: 401 })));
    renderPanel();
    const viewer = group('Samo pregled');
    fireEvent.click(button(viewer, 'Novi link'));
    await act(async () => fireEvent.click(button(viewer, 'Da, napravi novi link')));
    expect(within(viewer).getByRole('alert', { hidden: true }).textContent).toMatch(/nije prihvatio vaš facilitatorski link/);
  });
});

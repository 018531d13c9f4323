import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addActivity, addMunicipality, asMunicipalityId, createLane, readBoard, roots, seedEmptyBoard } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { BackupSettings, FinaliseSettings } from './FinaliseSettings.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
let doc: Y.Doc;
let complete: string;
let gappy: string;
beforeEach(() => {
  doc = new Y.Doc();
  seedEmptyBoard(doc, 'Igman');
  const mostar = addMunicipality(doc, { name: 'Grad Mostar', color: '#9467bd' }, { id: asMunicipalityId('m_mostar') });
  const lane = createLane(doc, { title: 'Učešće građana' });
  complete = addActivity(doc, { title: 'Potpuna', leadId: mostar, timeframe: '2023-Q2', responsible: 'koordinatorica LDP-a', indicator: '2 rasprave' }, { laneId: lane });
  gappy = addActivity(doc, { title: 'Bez indikatora', leadId: mostar, timeframe: '2023-Q3' }, { laneId: lane });
  addActivity(doc, { title: 'U bazenu' }, { laneId: null });
});
afterEach(() => {
  cleanup();
  doc.destroy();
});

const announce = vi.fn();
const onClose = vi.fn();
function renderPanel(fetchFn: (input: string, init: RequestInit) => Promise<Response>) {
  function Live() {
    return <FinaliseSettings board={useBoard(doc)} announce={announce} onClose={onClose} fetchFn={fetchFn} />;
  }
  renderWithSession(fakeSession(doc, { role: 'facilitator' }, { link: { boardId: 'b1', token: 'fac-token' } }), <Live />, i18n);
}
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const agreeButton = () => screen.getByRole('button', { name: 'Označi plan kao usaglašen' }) as HTMLButtonElement;

describe('"Završi plan"', () => {
  beforeEach(() => {
    announce.mockReset();
    onClose.mockReset();
  });

  it('lists the gaps of placed activities with a link to each card; agreeing with gaps needs a tick', async () => {
    const fetchFn = vi.fn(async () => new Response(JSON.stringify({ id: 'v1' }), { status: 201 }));
    renderPanel(fetchFn);
    expect(screen.getByText('1 aktivnost je nepotpuna:')).toBeTruthy();
    const item = screen.getByRole('link', { name: 'Bez indikatora' }).closest('li')!;
    expect(within(item).getByText('nedostaje: odgovorna osoba, indikator')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Potpuna' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'U bazenu' })).toBeNull(); // the pool is not the plan

    // The link closes the panel and brings the card into view.
    const card = document.createElement('article');
    card.dataset.activityId = gappy;
    card.tabIndex = 0;
    card.scrollIntoView = vi.fn();
    document.body.append(card);
    fireEvent.click(screen.getByRole('link', { name: 'Bez indikatora' }));
    expect(onClose).toHaveBeenCalled();
    await act(() => new Promise((r) => setTimeout(r, 5)));
    expect(card.scrollIntoView).toHaveBeenCalled();
    expect(document.activeElement).toBe(card);
    card.remove();

    expect(agreeButton().disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Označi plan kao usaglašen uprkos nedostacima' }));
    expect(agreeButton().disabled).toBe(false);
    await act(async () => fireEvent.click(agreeButton()));
    await frame();
    expect(fetchFn).toHaveBeenCalledWith('/api/boards/b1/versions?token=fac-token', expect.objectContaining({ method: 'POST', body: JSON.stringify({ name: 'Usaglašeni plan', by: 'Facilitator/ica' }) }));
    expect(readBoard(doc).meta.locked).toBe(true);
    for (const entry of roots(doc).activities.values()) expect(entry.get('progress')).toBeInstanceOf(Y.Map);
    expect(announce).toHaveBeenCalledWith('Plan je usaglašen i zaključan; sačuvana je verzija „Usaglašeni plan“.');
    expect(screen.getByText('Plan je zaključan.')).toBeTruthy();
  });

  it('a complete plan is agreed at once; without a versions API (404) the board is locked anyway, and says so', async () => {
    roots(doc).activities.get(gappy)!.set('responsible', 'koordinator');
    roots(doc).activities.get(gappy)!.set('indicator', 'izvještaj');
    const fetchFn = vi.fn(async () => new Response('{"error":"not found"}', { status: 404 }));
    renderPanel(fetchFn);
    expect(screen.getByText('Sve raspoređene aktivnosti su potpune.')).toBeTruthy();
    expect(screen.queryByRole('checkbox')).toBeNull();
    await act(async () => fireEvent.click(agreeButton()));
    expect(readBoard(doc).meta.locked).toBe(true);
    expect(announce.mock.calls[0]![0]).toMatch(/ovaj server ne čuva verzije/);
    void complete;
  });

  it('offline: locked anyway, the version is said not saved', async () => {
    roots(doc).activities.get(gappy)!.set('responsible', 'koordinator');
    roots(doc).activities.get(gappy)!.set('indicator', 'izvještaj');
    renderPanel(async () => {
      throw new TypeError('offline');
    });
    await act(async () => fireEvent.click(agreeButton()));
    expect(readBoard(doc).meta.locked).toBe(true);
    expect(announce.mock.calls[0]![0]).toMatch(/nije sačuvana \(server nije dostupan\)/);
  });

  it('the backup link downloads the board with the facilitator\'s own link', () => {
    renderWithSession(fakeSession(doc, { role: 'facilitator' }, { link: { boardId: 'b 1', token: 'fac-token' } }), <BackupSettings />, i18n);
    const link = screen.getByRole('link', { name: 'Preuzmi rezervnu kopiju' });
    expect(link.getAttribute('href')).toBe('/api/boards/b%201/backup.json?token=fac-token');
    expect(link.hasAttribute('download')).toBe(true);
  });
});

import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { readBoard, seedDemoBoard } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { loadKnownLinks } from './room-kit.js';
import { RoomKit } from './RoomKit.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  doc.destroy();
});

/** The board's municipalities, in its order (the kit's rows and the sheet's cards follow it). */
const municipalities = () => readBoard(doc).municipalities;

/**
 * The server, in memory: which links work (the demo board's three role links at first, known to
 * nobody here), each POST a new one, and `/access` for the ones it issued.
 */
function fakeServer(initial: { roles?: Record<string, boolean>; municipalities?: string[] } = {}) {
  const roles: Record<string, boolean> = { facilitator: true, editor: true, viewer: true, ...initial.roles };
  const municipalities = new Set(initial.municipalities ?? []);
  const tokens = new Map<string, { role: string; municipalityId: string | null }>();
  let n = 0;
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    if (url.includes('/access?')) {
      const access = tokens.get(new URL(url, 'http://localhost').searchParams.get('token')!);
      return access ? Response.json({ boardId: 'demo', ...access }) : Response.json({ error: 'no' }, { status: 401 });
    }
    if (method === 'GET') return Response.json({ roles, municipalities: Object.fromEntries([...municipalities].map((id) => [id, { issuedAt: 1 }])) });
    const m = /\/links\/(?:editor\/(.+)|(viewer|editor))$/.exec(url)!;
    const token = `t${++n}`;
    if (m[1]) {
      municipalities.add(decodeURIComponent(m[1]));
      tokens.set(token, { role: 'editor', municipalityId: decodeURIComponent(m[1]) });
    } else {
      roles[m[2]!] = true;
      tokens.set(token, { role: m[2]!, municipalityId: null });
    }
    return Response.json({ role: 'editor', token, link: `http://localhost/b/demo?token=${token}` });
  });
  vi.stubGlobal('fetch', fetchMock);
  const posts = () => fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST').map(([url]) => url);
  return { fetchMock, posts };
}

const renderKit = () =>
  renderWithSession(fakeSession(doc, { role: 'facilitator' }, { link: { boardId: 'demo', token: 'fac-token' } }), <RoomKit />, i18n);
const kit = () => screen.getByRole('region', { name: 'Materijal za salu' });
const row = (name: string) => within(kit()).getByRole('rowheader', { name }).closest('tr')!;
const issueButton = () => within(kit()).getByRole('button', { name: /^Izdaj \d+ link/ });

describe('Materijal za salu', () => {
  it('one action issues every municipality its link, without a warning when none had one; the demo board’s existing links are left', async () => {
    const server = fakeServer();
    renderKit();
    await waitFor(() => expect(within(row('Grad Mostar')).getByText('Nema linka')).toBeTruthy());
    // The demo board's role links exist but are not known here: shown so, and not re-issued by default.
    expect(within(row('Projektor i samo pregled')).getByText(/Postoji, ali nije poznat na ovom uređaju/)).toBeTruthy();
    expect((within(row('Projektor i samo pregled')).getByRole('checkbox') as HTMLInputElement).checked).toBe(false);
    expect(issueButton().textContent).toBe('Izdaj 8 linkova');
    await act(async () => fireEvent.click(issueButton()));
    expect(screen.queryByText(/odmah prestaju raditi/)).toBeNull();
    await waitFor(() => expect(within(kit()).getByText('Izdano je 8 linkova. Kartice su spremne za štampu.')).toBeTruthy());
    expect(server.posts()).toEqual(municipalities().map((m) => `/api/boards/demo/links/editor/${m.id}`));
    // Remembered on this device for the sheet; the read-only link was not issued, so the wall stays as it was.
    expect(loadKnownLinks('demo').size).toBe(8);
    expect(readBoard(doc).facilitation.wallLink).toBeNull();
    await waitFor(() => expect(within(row('Grad Mostar')).getByText('Spreman za štampu')).toBeTruthy());
    expect(within(kit()).getByRole('button', { name: 'Odštampaj kartice' }).hasAttribute('disabled')).toBe(false);
  });

  it('re-issues only where ticked, and warns first, naming only the links that exist; the read-only link then goes on the wall', async () => {
    const server = fakeServer({ municipalities: ['m_mostar'] });
    renderKit();
    await waitFor(() => expect(within(row('Grad Mostar')).getByText(/Postoji/)).toBeTruthy());
    fireEvent.click(within(row('Projektor i samo pregled')).getByRole('checkbox', { name: 'Izdaj novi: Projektor i samo pregled' }));
    fireEvent.click(within(row('Grad Mostar')).getByRole('checkbox', { name: 'Izdaj novi: Grad Mostar' }));
    expect(issueButton().textContent).toBe('Izdaj 9 linkova');
    fireEvent.click(issueButton());
    const warning = within(kit()).getByRole('group', { name: /odmah prestaju raditi/ });
    expect(within(warning).getByText(/^Stari linkovi za: Projektor i samo pregled, Grad Mostar odmah/)).toBeTruthy();
    expect(server.posts()).toEqual([]);
    // Cancel: nothing happens.
    fireEvent.click(within(warning).getByRole('button', { name: 'Odustani' }));
    expect(server.posts()).toEqual([]);
    fireEvent.click(issueButton());
    await act(async () => fireEvent.click(within(kit()).getByRole('button', { name: 'Da, izdaj 9 linkova' })));
    await waitFor(() => expect(server.posts()).toHaveLength(9));
    expect(server.posts()[0]).toBe('/api/boards/demo/links/viewer');
    expect(server.posts()).not.toContain('/api/boards/demo/links/editor');
    expect(readBoard(doc).facilitation.wallLink).toEqual({ role: 'viewer', url: 'http://localhost/b/demo?token=t1' });
  });

  it('the wall link: read-only by default, the coordinator link only once known here, with a plain warning', async () => {
    fakeServer({ roles: { editor: false, viewer: false } });
    renderKit();
    await waitFor(() => expect(issueButton().textContent).toBe('Izdaj 9 linkova'));
    const wall = within(kit()).getByRole('group', { name: 'QR kod na projektoru otvara' });
    expect((within(wall).getByRole('radio', { name: /Opći koordinatorski link/ }) as HTMLInputElement).disabled).toBe(true);
    // Tick the general coordinator link too (never issued by default): no warning, as it does not exist.
    fireEvent.click(within(row('Opći koordinatorski link')).getByRole('checkbox', { name: 'Izdaj: Opći koordinatorski link' }));
    await act(async () => fireEvent.click(issueButton()));
    await waitFor(() => expect(readBoard(doc).facilitation.wallLink?.role).toBe('viewer'));
    expect((within(wall).getByRole('radio', { name: /Tablu samo za pregled/ }) as HTMLInputElement).checked).toBe(true);
    expect(within(wall).queryByText(/svako u sali ko skenira kod moći će mijenjati tablu/)).toBeNull();
    const editorOption = within(wall).getByRole('radio', { name: /Opći koordinatorski link/ }) as HTMLInputElement;
    await waitFor(() => expect(editorOption.disabled).toBe(false));
    fireEvent.click(editorOption);
    expect(readBoard(doc).facilitation.wallLink).toEqual({ role: 'editor', url: loadKnownLinks('demo').get('editor') });
    await act(() => new Promise((r) => setTimeout(r, 40)));
    expect(within(wall).getByText(/svako u sali ko skenira kod moći će mijenjati tablu/)).toBeTruthy();
    fireEvent.click(within(wall).getByRole('radio', { name: /Ništa/ }));
    expect(readBoard(doc).facilitation.wallLink).toBeNull();
  });

  it('a link remembered here that no longer works (re-issued elsewhere) is forgotten: "exists, re-issue to print"', async () => {
    localStorage.setItem('tabla.roomKit.demo', JSON.stringify({ 'm:m_mostar': 'http://localhost/b/demo?token=stale' }));
    fakeServer({ municipalities: ['m_mostar'] });
    renderKit();
    await waitFor(() => expect(within(row('Grad Mostar')).getByText(/Postoji, ali nije poznat/)).toBeTruthy());
    expect(loadKnownLinks('demo').size).toBe(0);
    expect(within(kit()).getByRole('button', { name: 'Odštampaj kartice' }).hasAttribute('disabled')).toBe(true);
  });

  it('the sheet: a card per municipality with its QR code and the whole address, and the projector’s and the general ones', async () => {
    fakeServer({ roles: { editor: false, viewer: false } });
    renderKit();
    await waitFor(() => expect(issueButton().textContent).toBe('Izdaj 9 linkova'));
    await act(async () => fireEvent.click(issueButton()));
    await waitFor(() => expect(loadKnownLinks('demo').size).toBe(9));
    fireEvent.click(within(kit()).getByRole('button', { name: 'Odštampaj kartice' }));
    const sheet = await screen.findByRole('dialog', { name: 'Kartice za pridruživanje' }, { timeout: 10_000 });
    expect(document.documentElement.classList.contains('room-kit-printing')).toBe(true);
    const cards = within(sheet).getAllByRole('article');
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual([...municipalities().map((m) => m.name), 'Projektor', 'Samo pregled']);
    await waitFor(() => expect(within(sheet).getAllByRole('img')).toHaveLength(10), { timeout: 10_000 });
    const mostar = cards.find((c) => c.getAttribute('aria-label') === 'Grad Mostar')!;
    expect(within(mostar).getByRole('img').getAttribute('alt')).toBe('QR kod s linkom: Grad Mostar');
    const token = loadKnownLinks('demo').get('m:m_mostar')!.split('token=')[1];
    expect(mostar.querySelector('.kit-card__address')!.textContent).toBe(`localhost/b/demo?token=${token}`);
    expect(within(sheet).getAllByRole('region').map((p) => p.getAttribute('aria-label'))).toEqual(['Strana 1 od 2', 'Strana 2 od 2']);
    expect(within(sheet).getByText(/^10 kartica/)).toBeTruthy();
    fireEvent.click(within(sheet).getByRole('button', { name: 'Zatvori' }));
    expect(screen.queryByRole('dialog', { name: 'Kartice za pridruživanje' })).toBeNull();
    expect(document.documentElement.classList.contains('room-kit-printing')).toBe(false);
  });
});

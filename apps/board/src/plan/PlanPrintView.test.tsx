import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { DEMO_TITLE, seedDemoBoard } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import PlanPrintView from './PlanPrintView.js';

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
const onClose = vi.fn();
const IGMAN = new Date('2022-10-19T10:00:00Z');
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  onClose.mockReset();
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  doc.destroy();
});

const renderView = (lng: I18n = i18n) =>
  renderWithSession(fakeSession(doc, { role: 'viewer' }, { link: { boardId: 'b1', token: 'view' } }), <PlanPrintView onClose={onClose} date={IGMAN} />, lng);
const planTable = () => screen.getAllByRole('table')[0]!;
/** The groups of the plan table: [heading, the Rb. of each row]. */
function groups(): [string, number[]][] {
  return [...planTable().querySelectorAll('tbody')].map((body) => {
    const rows = [...body.querySelectorAll('tr')];
    return [rows[0]!.textContent!, rows.slice(1).map((r) => Number(r.querySelector('td')!.textContent))];
  });
}

describe('Plan aktivnosti (print view)', () => {
  it('numbers the pages "strana X od Y" in the document\'s language and carries the read-only link as a QR code', async () => {
    renderView();
    const style = document.querySelector('.plan-print style')!.textContent!;
    expect(style).toContain('@bottom-right');
    expect(style).toContain('"strana " counter(page) " od " counter(pages)');
    const qr = await screen.findByRole('img', { name: /Tabla uživo \(samo za pregled\)/ });
    expect(qr.getAttribute('alt')).toContain(`${window.location.origin}/b/b1?token=view`);
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
  });

  it('is a modal dialog over the page, marking the page as printing the plan while open', () => {
    const view = renderView();
    const dialog = screen.getByRole('dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Plan aktivnosti za štampu');
    expect(document.documentElement.classList.contains('plan-printing')).toBe(true);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    view.unmount();
    expect(document.documentElement.classList.contains('plan-printing')).toBe(false);
  });

  it('has the header: title, board, date, municipalities', () => {
    renderView();
    const article = screen.getByRole('article');
    expect(article.getAttribute('lang')).toBe('bs');
    expect(within(article).getByRole('heading', { level: 1 }).textContent).toBe('Plan aktivnosti');
    expect(article.textContent).toContain(DEMO_TITLE);
    expect(article.textContent).toContain('Datum: 19. oktobar 2022.');
    expect(article.textContent).toContain('Opština Trnovo');
  });

  it('groups the activities by priority area, the not-yet-placed last, numbered 1..n across the groups', () => {
    renderView();
    const headers = within(planTable())
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers.slice(0, 4)).toEqual(['Rb.', 'Aktivnost', 'Opis', 'Nosilac']);
    expect(headers).toContain('Predlagač');
    expect(headers).not.toContain('Oblast'); // the lane is each group's heading row
    expect(planTable().querySelector('thead')).toBeTruthy(); // repeated on every printed page (plan.css)
    expect(groups()).toEqual([
      ['Učešće građana u odlučivanju', [1, 2, 3, 4]],
      ['Položaj mladih u lokalnoj zajednici', [5, 6, 7, 8]],
      ['Podrška djeci i mladima s poteškoćama u razvoju', [9, 10, 11, 12]],
      ['Održivost LDP-a i međuopštinska saradnja', [13]],
      ['Neraspoređene aktivnosti', [14, 15]],
    ]);
    const first = planTable().querySelectorAll('tbody tr')[1]!;
    expect(first.textContent).toContain('Zajednički model javnih konsultacija');
    expect(first.textContent).toContain('I kv. 2023.');
    expect(first.textContent).toContain('U toku');
  });

  it('has the commitments matrix and a signature block per municipality', () => {
    renderView();
    expect(screen.getByRole('heading', { name: 'Pregled obaveza' })).toBeTruthy();
    const matrix = screen.getAllByRole('table')[1]!;
    const mostar = within(matrix).getByRole('rowheader', { name: 'Grad Mostar' }).closest('tr')!;
    expect([...mostar.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1 / 0', '1 / 0', '0 / 1', '0 / 1']);
    expect(screen.getByRole('heading', { name: 'Potpisi' })).toBeTruthy();
    const blocks = document.querySelectorAll('.plan-doc__signature');
    expect(blocks).toHaveLength(8);
    expect(blocks[0]!.textContent).toContain('Koordinator/ica');
    expect(blocks[0]!.textContent).toContain('Pečat');
  });

  it('writes the document in Cyrillic when chosen; what people typed stays as typed', () => {
    renderView();
    fireEvent.click(screen.getByRole('radio', { name: 'Srpski (ćirilica)' }));
    const article = screen.getByRole('article');
    expect(article.getAttribute('lang')).toBe('sr-Cyrl-BA');
    expect(within(article).getByRole('heading', { level: 1 }).textContent).toBe('План активности');
    expect(article.textContent).toContain('Датум: 19. октобар 2022.');
    expect(within(planTable()).getAllByRole('columnheader')[0]!.textContent).toBe('Рб.');
    expect(groups().map(([title, rows]) => [title, rows.length])).toEqual([
      ['Učešće građana u odlučivanju', 4],
      ['Položaj mladih u lokalnoj zajednici', 4],
      ['Podrška djeci i mladima s poteškoćama u razvoju', 4],
      ['Održivost LDP-a i međuopštinska saradnja', 1],
      ['Нераспоређене активности', 2],
    ]);
    expect(planTable().querySelectorAll('tbody tr')[1]!.textContent).toContain('I кв. 2023.');
    expect(planTable().querySelectorAll('tbody tr')[1]!.textContent).toContain('У току');
    expect(screen.getByRole('heading', { name: 'Потписи' })).toBeTruthy();
    // The UI around it stays in the UI's language.
    expect(screen.getByRole('button', { name: 'Štampaj' })).toBeTruthy();
  });

  it('starts in Cyrillic for a Serbian UI', async () => {
    renderView(await setupI18n('sr-Cyrl-BA'));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('План активности');
    expect((screen.getByRole('radio', { name: 'Српски (ћирилица)' }) as HTMLInputElement).checked).toBe(true);
  });

  it('"Štampaj" prints the page', () => {
    const print = vi.spyOn(window, 'print').mockImplementation(() => {});
    renderView();
    fireEvent.click(screen.getByRole('button', { name: 'Štampaj' }));
    expect(print).toHaveBeenCalledTimes(1);
  });
});

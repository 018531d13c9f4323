import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setupI18n } from '../i18n/index.js';
import type { HeldBackWork } from '../session/held-back.js';
import { heldBackText, HeldBackNotice } from './HeldBackNotice.js';

const LANE_A = 'Učešće građana u odlučivanju';

/** A coordinator's offline edits, refused because the facilitator locked the lane meanwhile. */
const work: HeldBackWork = {
  id: 'w1',
  at: Date.UTC(2022, 9, 19, 10, 30),
  code: 4403,
  reason: 'activity a_1 is in a locked lane',
  update: 'AAA=',
  summary: {
    activities: [
      {
        id: 'a_1',
        change: 'changed',
        title: 'Odluka o LDP-u (nacrt)',
        lane: LANE_A,
        fields: [
          { field: 'title', before: 'Odluka o LDP-u kao savjetodavnom tijelu', after: 'Odluka o LDP-u (nacrt)' },
          { field: 'status', before: 'planned', after: 'in_progress' },
          { field: 'notes', before: null, after: 'Nacrt do juna' },
        ],
      },
      {
        id: 'a_new',
        change: 'added',
        title: 'Sajam volontera',
        lane: null,
        fields: [
          { field: 'timeframe', before: null, after: '2023-Q3' },
          { field: 'budget', before: null, after: '1500' },
        ],
      },
      { id: 'a_2', change: 'deleted', title: 'Dijalog sa mladima', lane: 'Položaj mladih u lokalnoj zajednici', fields: [] },
    ],
    other: ['votes'],
    lockedLane: LANE_A,
  },
};

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});
afterEach(async () => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  await i18n.changeLanguage('bs');
});

function show(works: readonly HeldBackWork[] = [work]) {
  const onDismiss = vi.fn();
  render(
    <I18nextProvider i18n={i18n}>
      <HeldBackNotice works={works} boardId="b1" onDismiss={onDismiss} />
    </I18nextProvider>,
  );
  return { onDismiss };
}

const EXPECTED_TEXT = [
  `Tabla nije prihvatila vašu promjenu: oblast „${LANE_A}" je zaključana.`,
  '',
  `Izmijenjeno: „Odluka o LDP-u (nacrt)" (${LANE_A})`,
  '  Aktivnost: Odluka o LDP-u kao savjetodavnom tijelu → Odluka o LDP-u (nacrt)',
  '  Status: Planirano → U toku',
  '  Napomena: — → Nacrt do juna',
  '',
  'Dodano: „Sajam volontera" (Neraspoređene aktivnosti)',
  '  Rok / kvartal: III kv. 2023.',
  '  Sredstva (KM): 1.500,00\u00a0KM', // Intl's no-break space
  '',
  'Obrisano: „Dijalog sa mladima" (Položaj mladih u lokalnoj zajednici)',
  '',
  'Ostale izmjene: glasanje',
].join('\n');

describe('the notice of work the server did not accept', () => {
  it('says what was not accepted and why, in Bosnian, activity by activity', () => {
    show();
    expect(screen.getByRole('alert').textContent).toBe(`Tabla nije prihvatila vašu promjenu: oblast „${LANE_A}" je zaključana.`);
    expect(screen.getByRole('region', { name: /Tabla nije prihvatila/ })).toBeTruthy();
    expect(screen.getByText(/sačuvano je na ovom uređaju, a tabla je ponovo učitana sa servera/)).toBeTruthy();
    expect(screen.getByText('Status: Planirano → U toku')).toBeTruthy();
    expect(screen.getByText('Rok / kvartal: III kv. 2023.')).toBeTruthy();
    expect(screen.getByText(/^Obrisano: „Dijalog sa mladima"/)).toBeTruthy();
    expect(screen.getByText('Ostale izmjene: glasanje')).toBeTruthy();
  });

  it('copies a plain-text rendition of the kept-aside activities to the clipboard', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    vi.stubGlobal('isSecureContext', true);
    show();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Kopiraj kao tekst' })));
    expect(writeText).toHaveBeenCalledWith(EXPECTED_TEXT);
    expect(screen.getByRole('status').textContent).toBe('Kopirano.');
  });

  it('where the clipboard is out of reach, shows the text to select by hand', async () => {
    vi.stubGlobal('isSecureContext', false);
    show();
    expect(screen.queryByRole('textbox', { name: 'Izmjene koje nisu prihvaćene, kao tekst' })).toBeNull(); // hidden until needed
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Kopiraj kao tekst' })));
    expect(screen.getByRole('status').textContent).toContain('Kopiranje nije uspjelo');
    const text = screen.getByRole('textbox', { name: 'Izmjene koje nisu prihvaćene, kao tekst' }) as HTMLTextAreaElement;
    expect(text.value).toBe(EXPECTED_TEXT);
  });

  it('downloads it as a JSON file: the summary and the update', async () => {
    let blob: Blob | null = null;
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: (b: Blob) => ((blob = b), 'blob:held-back'), revokeObjectURL: () => {} }));
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Preuzmi kao datoteku' }));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('tabla-b1-2022-10-19T10-30-00.json');
    expect(clicked[0]!.href).toBe('blob:held-back');
    const json = JSON.parse(await blob!.text()) as Record<string, unknown>;
    expect(json).toMatchObject({ boardId: 'b1', refusal: { code: 4403 }, activities: work.summary!.activities, otherChanges: ['votes'], yjsUpdateBase64: 'AAA=' });
  });

  it('is dismissed by the person', () => {
    const { onDismiss } = show();
    fireEvent.click(screen.getByRole('button', { name: 'Zatvori' }));
    expect(onDismiss).toHaveBeenCalledWith('w1');
  });

  it('before the server’s board is here: the reason, and that it is being compared', () => {
    show([{ ...work, code: 4413, reason: 'board too large', summary: null }]);
    expect(screen.getByRole('alert').textContent).toBe(
      'Tabla nije prihvatila vašu promjenu: tabla je dostigla najveću dopuštenu veličinu. Javite se facilitatoru/ici.',
    );
    expect(screen.getByText('Uspoređujemo s tablom na serveru…')).toBeTruthy();
  });

  it('speaks the person’s language: Serbian in Cyrillic, English', async () => {
    await i18n.changeLanguage('sr-Cyrl-BA');
    const t = (key: string, o?: Record<string, unknown>) => i18n.t(key, o);
    expect(heldBackText(t, 'sr-Cyrl-BA', work).split('\n').slice(0, 5)).toEqual([
      `Табла није прихватила вашу промјену: област „${LANE_A}" је закључана.`,
      '',
      `Измијењено: „Odluka o LDP-u (nacrt)" (${LANE_A})`, // the board's own words stay as written
      '  Активност: Odluka o LDP-u kao savjetodavnom tijelu → Odluka o LDP-u (nacrt)',
      '  Статус: Планирано → У току',
    ]);
    await i18n.changeLanguage('en');
    expect(heldBackText(t, 'en', { ...work, reason: 'viewers cannot write', summary: null })).toBe(
      'The board did not accept your change: this link is read-only.\nComparing with the board on the server…',
    );
  });
});

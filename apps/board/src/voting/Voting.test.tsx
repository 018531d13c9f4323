import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  type Activity,
  demoLaneId,
  demoMunicipalityId,
  giveDot,
  type MunicipalityId,
  openVote,
  readBoard,
  revealVote,
  seedDemoBoard,
  setSpotlight,
} from '@tabla/plan-model';
import { municipalityCodes } from '../facilitation/codes.js';
import { FacilitationBar } from '../facilitation/FacilitationBar.js';
import { ProjectorScreen } from '../facilitation/ProjectorScreen.js';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Board } from '../ui/Board.js';
import type * as CardVoteModule from './CardVote.js';

/** Renders of each card's vote part (by title): a card whose numbers did not change must not render. */
const voteRenders = new Map<string, number>();
vi.mock('./CardVote.js', async (importOriginal) => {
  const actual = await importOriginal<typeof CardVoteModule>();
  return {
    CardVote: (props: Parameters<typeof actual.CardVote>[0]) => {
      voteRenders.set(props.activity.title, (voteRenders.get(props.activity.title) ?? 0) + 1);
      return actual.CardVote(props);
    },
  };
});

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
let awareness: Awareness;
beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  awareness = new Awareness(doc);
  localStorage.clear();
  voteRenders.clear();
});
afterEach(() => {
  cleanup();
  awareness.destroy();
  doc.destroy();
});

const MOSTAR = demoMunicipalityId('mostar');
const TRNOVO = demoMunicipalityId('trnovoF');
const NOVO_SARAJEVO = demoMunicipalityId('novoSarajevo');
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const B_CARDS = ['Dijalog sa mladima', 'Radionice o propisima za mlade', 'Razmjena vijeća mladih', 'Mapa prostora za mlade'];

const noop = () => {};

/** The facilitation bar and the board, as the app shows them. */
function renderScreen(role: SessionState['role'], { municipalityId = null as string | null, projector = false } = {}) {
  const codes = municipalityCodes(readBoard(doc).municipalities);
  return renderWithSession(
    fakeSession(doc, { role, municipalityId }, { awareness, link: { boardId: 'b1', token: 't' } }),
    <ProjectorScreen state={{ projector, codes }}>
      <FacilitationBar projector={projector} />
      <Board onAdd={noop} onEdit={noop} projector={projector} />
    </ProjectorScreen>,
    i18n,
  );
}

/** Lets the board store's once-per-frame notification through. */
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const card = (title: string) => screen.getByRole('article', { name: title });
const id = (title: string) => [...readBoard(doc).activityById.values()].find((a: Activity) => a.title === title)!.id;
const addButton = (title: string) => screen.getByRole('button', { name: `Dodaj bod: ${title}` });
const removeButton = (title: string) => screen.getByRole('button', { name: `Ukloni bod: ${title}` });
const ownDots = (title: string) => within(card(title)).getByTestId('card-dots').dataset.dots;
const ballot = (m: MunicipalityId) => readBoard(doc).votes.at(-1)!.ballots[m];
const openLaneB = (dots: number) => openVote(doc, { laneId: demoLaneId('B'), dots }, Date.now());

describe('the facilitator', () => {
  it('opens a vote over the spotlit lane with the dots they choose, watches the progress, reveals, re-runs and closes', async () => {
    setSpotlight(doc, { kind: 'lane', id: demoLaneId('B') });
    renderScreen('facilitator');
    const controls = screen.getByRole('group', { name: 'Glasanje bodovima' });
    const toggle = within(controls).getByRole('button', { name: 'Glasanje' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const form = screen.getByRole('form', { name: 'Novo glasanje bodovima' });
    const scope = within(form).getByLabelText('Oblast glasanja') as HTMLSelectElement;
    expect(scope.value).toBe(demoLaneId('B'));
    expect([...scope.options].map((o) => o.text)).toEqual([
      'Cijela tabla',
      'Učešće građana u odlučivanju',
      LANE_B,
      'Podrška djeci i mladima s poteškoćama u razvoju',
      'Održivost LDP-a i međuopštinska saradnja',
    ]);
    const dots = within(form).getByLabelText('Bodova po općini') as HTMLInputElement;
    expect(dots.value).toBe('3');

    fireEvent.change(dots, { target: { value: '21' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Pokreni glasanje' }));
    expect(screen.getByRole('alert').textContent).toBe('Upišite cijeli broj bodova od 1 do 20.');
    expect(readBoard(doc).votes).toEqual([]);

    const updates = vi.fn();
    doc.on('update', updates);
    fireEvent.change(dots, { target: { value: '2' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Pokreni glasanje' }));
    expect(updates).toHaveBeenCalledTimes(1); // one operation
    expect(readBoard(doc).votes).toMatchObject([{ laneId: demoLaneId('B'), dots: 2, state: 'open' }]);
    await frame();
    expect(screen.queryByRole('form')).toBeNull();
    // Focus goes to the new state, not to the body.
    expect(document.activeElement?.textContent).toBe(`Glasanje u toku: ${LANE_B} (2 boda po općini)`);
    expect(screen.getByTestId('vote-progress').textContent).toBe('0 od 8 općina glasalo');

    const voteId = readBoard(doc).votes[0]!.id;
    act(() => giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1));
    await frame();
    expect(screen.getByTestId('vote-progress').textContent).toBe('1 od 8 općina glasalo');
    // The facilitator has no municipality: no dots of anyone on the cards while the vote is open.
    expect(screen.queryAllByTestId('card-dots')).toHaveLength(0);
    expect(screen.queryAllByTestId('card-vote-total')).toHaveLength(0);
    expect(screen.queryByRole('table')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Otkrij rezultate' }));
    expect(readBoard(doc).votes[0]!.state).toBe('revealed');
    await frame();
    expect(screen.getByRole('table', { name: 'Rezultati glasanja' })).toBeTruthy();
    expect(document.activeElement?.textContent).toBe(`Rezultati otkriveni: ${LANE_B}`);

    fireEvent.click(screen.getByRole('button', { name: 'Ponovi glasanje' }));
    await frame();
    expect(readBoard(doc).votes.map((v) => [v.state, v.laneId, v.dots])).toEqual([
      ['closed', demoLaneId('B'), 2],
      ['open', demoLaneId('B'), 2],
    ]);
    expect(screen.getByTestId('vote-progress').textContent).toBe('0 od 8 općina glasalo');
    fireEvent.click(screen.getByRole('button', { name: 'Otkrij rezultate' }));
    await frame();
    fireEvent.click(screen.getByRole('button', { name: 'Zatvori glasanje' }));
    await frame();
    expect(readBoard(doc).votes.map((v) => v.state)).toEqual(['closed', 'closed']);
    expect(screen.queryByRole('table')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Glasanje' }));

    // Earlier votes, newest first, with their top results.
    const history = screen.getByText('Ranija glasanja (2)').closest('details')!;
    const items = within(history).getAllByRole('listitem').filter((li) => li.parentElement?.classList.contains('vote-history__list'));
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('Nijedna aktivnost nije dobila bod.');
    expect(items[1]!.textContent).toContain('1. Dijalog sa mladima: 1 bod');
  });

  it('the whole board by default; Escape closes the form and gives focus back', async () => {
    renderScreen('facilitator');
    const toggle = screen.getByRole('button', { name: 'Glasanje' });
    fireEvent.click(toggle);
    const form = screen.getByRole('form', { name: 'Novo glasanje bodovima' });
    expect((within(form).getByLabelText('Oblast glasanja') as HTMLSelectElement).value).toBe('');
    fireEvent.keyDown(within(form).getByLabelText('Bodova po općini'), { key: 'Escape' });
    expect(screen.queryByRole('form')).toBeNull();
    expect(document.activeElement).toBe(toggle);
    fireEvent.click(toggle);
    fireEvent.click(screen.getByRole('button', { name: 'Pokreni glasanje' }));
    expect(readBoard(doc).votes).toMatchObject([{ laneId: null, dots: 3, state: 'open' }]);
  });
});

describe('a coordinator bound to a municipality', () => {
  it('gives and takes back its own dots on the cards in scope; "+" does nothing at 0 left', async () => {
    openLaneB(2);
    renderScreen('editor', { municipalityId: MOSTAR });
    const banner = screen.getByTestId('vote-banner');
    expect(banner.getAttribute('role')).toBe('status');
    expect(banner.textContent).toBe(`Glasanje: ${LANE_B} — preostalo vam je 2 od 2 boda`);
    // Only the lane voted on has dot buttons; no facilitator controls.
    for (const title of B_CARDS) expect(within(card(title)).getByRole('group', { name: `Bodovi za „${title}"` })).toBeTruthy();
    expect(within(card('Forum građana „Dva Trnova"')).queryByRole('button', { name: /bod:/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Glasanje' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Otkrij rezultate' })).toBeNull();

    const updates = vi.fn();
    doc.on('update', updates);
    expect(removeButton('Dijalog sa mladima').getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(removeButton('Dijalog sa mladima'));
    expect(updates).not.toHaveBeenCalled();

    fireEvent.click(addButton('Dijalog sa mladima'));
    expect(updates).toHaveBeenCalledTimes(1);
    expect(ballot(MOSTAR)).toEqual({ [id('Dijalog sa mladima')]: 1 });
    await frame();
    expect(banner.textContent).toBe(`Glasanje: ${LANE_B} — preostalo vam je 1 od 2 boda`);
    expect(ownDots('Dijalog sa mladima')).toBe('1');
    expect(within(card('Dijalog sa mladima')).getByTestId('card-dots').textContent).toBe('●Vaši bodovi: 1');
    expect(removeButton('Dijalog sa mladima').getAttribute('aria-disabled')).toBe('false');

    fireEvent.click(addButton('Dijalog sa mladima'));
    await frame();
    expect(banner.textContent).toBe(`Glasanje: ${LANE_B} — preostalo vam je 0 od 2 boda`);
    for (const title of B_CARDS) expect(addButton(title).getAttribute('aria-disabled'), title).toBe('true');
    fireEvent.click(addButton('Mapa prostora za mlade'));
    expect(updates).toHaveBeenCalledTimes(2);
    expect(ballot(MOSTAR)).toEqual({ [id('Dijalog sa mladima')]: 2 });

    fireEvent.click(removeButton('Dijalog sa mladima'));
    await frame();
    expect(ballot(MOSTAR)).toEqual({ [id('Dijalog sa mladima')]: 1 });
    expect(banner.textContent).toBe(`Glasanje: ${LANE_B} — preostalo vam je 1 od 2 boda`);
    expect(addButton('Mapa prostora za mlade').getAttribute('aria-disabled')).toBe('false');
  });

  it('sees only its own dots while the vote is open', async () => {
    const voteId = openLaneB(3);
    giveDot(doc, voteId, TRNOVO, id('Razmjena vijeća mladih'), 1);
    giveDot(doc, voteId, TRNOVO, id('Razmjena vijeća mladih'), 1);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    renderScreen('editor', { municipalityId: MOSTAR });
    expect(ownDots('Razmjena vijeća mladih')).toBe('0');
    expect(ownDots('Dijalog sa mladima')).toBe('1');
    expect(screen.queryAllByTestId('card-vote-total')).toHaveLength(0);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByTestId('vote-banner').textContent).toContain('preostalo vam je 2 od 3 boda');
  });

  it('a dot that can no longer be given (a colleague gave the last one): a polite message, nothing sent, no crash', async () => {
    const voteId = openLaneB(1);
    renderScreen('editor', { municipalityId: MOSTAR });
    // A colleague from the same municipality, on another laptop: the view here is a frame behind.
    giveDot(doc, voteId, MOSTAR, id('Mapa prostora za mlade'), 1);
    const updates = vi.fn();
    doc.on('update', updates);
    fireEvent.click(addButton('Dijalog sa mladima'));
    expect(updates).not.toHaveBeenCalled();
    await frame();
    const message = screen.getByText('Nemate više bodova. Uklonite bod s neke aktivnosti pa ga dajte drugoj.');
    expect(message.getAttribute('role')).toBe('status');
    expect(ownDots('Mapa prostora za mlade')).toBe('1');
    // The next dot that works clears it.
    fireEvent.click(removeButton('Mapa prostora za mlade'));
    await frame();
    expect(screen.queryByText(/^Nemate više bodova/)).toBeNull();
  });

  it('a dot renders only its own card; another municipality’s dot renders none', async () => {
    const voteId = openLaneB(3);
    renderScreen('editor', { municipalityId: MOSTAR });
    await frame();
    voteRenders.clear();
    fireEvent.click(addButton('Dijalog sa mladima'));
    await frame();
    expect([...voteRenders.keys()]).toEqual(['Dijalog sa mladima']);
    voteRenders.clear();
    act(() => giveDot(doc, voteId, TRNOVO, id('Dijalog sa mladima'), 1));
    await frame();
    expect(voteRenders.size).toBe(0);
  });
});

describe('those who do not vote here', () => {
  it('a coordinator with a general link is told why, and has no dot buttons', () => {
    openLaneB(2);
    renderScreen('editor', { municipalityId: null });
    expect(screen.getByTestId('vote-notice').textContent).toBe(
      `Glasanje u toku: ${LANE_B} Glasati se može samo preko linka vaše općine; zatražite ga od facilitatora.`,
    );
    expect(screen.queryAllByRole('button', { name: /^(Dodaj|Ukloni) bod/ })).toHaveLength(0);
    expect(screen.queryByTestId('vote-banner')).toBeNull();
  });

  it('a viewer has no controls; the projector shows that a vote is on, and no dots, until the reveal', async () => {
    const voteId = openLaneB(2);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    const { unmount } = renderScreen('viewer');
    expect(screen.queryByRole('button', { name: 'Glasanje' })).toBeNull();
    expect(screen.queryAllByRole('button', { name: /bod/ })).toHaveLength(0);
    unmount();
    renderScreen('viewer', { projector: true });
    expect(screen.getByTestId('vote-notice').textContent).toBe(`Glasanje u toku: ${LANE_B} 1 od 8 općina glasalo`);
    expect(screen.queryAllByTestId('card-dots')).toHaveLength(0);
    expect(screen.queryAllByTestId('card-vote-total')).toHaveLength(0);
    expect(screen.queryByRole('heading', { name: 'Rezultati glasanja' })).toBeNull();
    act(() => revealVote(doc, voteId));
    await frame();
    expect(screen.getByRole('heading', { name: 'Rezultati glasanja' })).toBeTruthy();
    expect(screen.queryByTestId('vote-notice')).toBeNull();
  });
});

describe('revealed', () => {
  it('everyone sees each card’s total and the sorted results, projector included', async () => {
    const voteId = openLaneB(3);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    giveDot(doc, voteId, MOSTAR, id('Mapa prostora za mlade'), 1);
    giveDot(doc, voteId, TRNOVO, id('Mapa prostora za mlade'), 1);
    giveDot(doc, voteId, TRNOVO, id('Mapa prostora za mlade'), 1);
    giveDot(doc, voteId, TRNOVO, id('Razmjena vijeća mladih'), 1);
    giveDot(doc, voteId, NOVO_SARAJEVO, id('Dijalog sa mladima'), 1);
    revealVote(doc, voteId);

    renderScreen('viewer', { projector: true });
    const table = screen.getByRole('table', { name: 'Rezultati glasanja' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => [...row.children].map((c) => c.textContent));
    // Dijalog and Mapa: 3 dots from 2 municipalities each, a shared first place (then by title).
    expect(rows).toEqual([
      ['1.', 'Dijalog sa mladima', '3', '2'],
      ['1.', 'Mapa prostora za mlade', '3', '2'],
      ['3.', 'Razmjena vijeća mladih', '1', '1'],
    ]);
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Mjesto', 'Aktivnost', 'Bodovi', 'Općine']);
    expect(screen.getByText(`${LANE_B} · 3 boda po općini`)).toBeTruthy(); // what the vote was, not live counts

    const total = (title: string) => within(card(title)).getByTestId('card-vote-total').textContent;
    expect(total('Dijalog sa mladima')).toBe('Rezultat glasanja: 3 boda');
    expect(total('Razmjena vijeća mladih')).toBe('Rezultat glasanja: 1 bod');
    expect(total('Radionice o propisima za mlade')).toBe('Rezultat glasanja: 0 bodova');
    expect(within(card('Forum građana „Dva Trnova"')).queryByTestId('card-vote-total')).toBeNull(); // not in the vote
    expect(screen.queryAllByRole('button', { name: /bod/ })).toHaveLength(0);
  });

  it('a bound coordinator sees the totals too, and can no longer give dots', () => {
    const voteId = openLaneB(2);
    giveDot(doc, voteId, TRNOVO, id('Razmjena vijeća mladih'), 1);
    revealVote(doc, voteId);
    renderScreen('editor', { municipalityId: MOSTAR });
    expect(within(card('Razmjena vijeća mladih')).getByTestId('card-vote-total').textContent).toBe('Rezultat glasanja: 1 bod');
    expect(screen.queryAllByRole('button', { name: /^(Dodaj|Ukloni) bod/ })).toHaveLength(0);
    expect(screen.getByTestId('vote-banner').textContent).toBe('');
    expect(screen.getByRole('heading', { name: 'Rezultati glasanja' })).toBeTruthy();
  });
});

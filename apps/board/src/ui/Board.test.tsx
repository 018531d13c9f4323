import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type * as DndCore from '@dnd-kit/core';
import { useState } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { type Activity, type ActivityId, demoMunicipalityId, editActivity, readBoard, seedDemoBoard } from '@tabla/plan-model';
import type { i18n as I18n } from 'i18next';
import { type ActivityFilter, EMPTY_FILTER, matchingIds } from '../filters/match.js';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Board } from './Board.js';

/** Renders per lane (each Lane render asks for its droppable once) and per card. */
const laneRenders = new Map<string, number>();
const cardRenders = new Map<string, number>();
const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);

vi.mock('@dnd-kit/core', async (importOriginal) => {
  const actual = await importOriginal<typeof DndCore>();
  return {
    ...actual,
    useDroppable: (args: Parameters<typeof actual.useDroppable>[0]) => {
      bump(laneRenders, String(args.id));
      return actual.useDroppable(args);
    },
    useDraggable: (args: Parameters<typeof actual.useDraggable>[0]) => {
      bump(cardRenders, String(args.id));
      return actual.useDraggable(args);
    },
  };
});

let i18n: I18n;
beforeAll(async () => {
  i18n = await setupI18n('bs');
});

let doc: Y.Doc;
const noop = () => {};
let setFilter: (f: ActivityFilter) => void = () => {};

/** Like App's BoardPage: the person's filter in React state, matches computed from the view. */
function Page({ own }: { own: string | null }) {
  const [filter, set] = useState<ActivityFilter>(EMPTY_FILTER);
  setFilter = set;
  const [view] = useState(() => readBoard(doc));
  return (
    <Board
      onAdd={noop}
      onEdit={noop}
      matching={matchingIds(readBoard(doc, view).activityById.values(), filter)}
      onlyMatches={filter.onlyMatches}
      ownMunicipalityId={own as never}
    />
  );
}

const renderBoard = (role: SessionState['role'], own: string | null) => renderWithSession(fakeSession(doc, { role }), <Page own={own} />, i18n);

const activityId = (title: string): ActivityId => [...readBoard(doc).activityById.values()].find((a: Activity) => a.title === title)!.id;
const laneOf = (title: string) => screen.getByRole('region', { name: title });
const card = (title: string) => screen.getByRole('article', { name: title });
/** Lets the board store's once-per-frame notification through. */
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));

beforeEach(() => {
  doc = new Y.Doc();
  seedDemoBoard(doc);
  laneRenders.clear();
  cardRenders.clear();
});
afterEach(() => {
  cleanup();
  doc.destroy();
});

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_C = 'Podrška djeci i mladima s poteškoćama u razvoju';

describe('Board with filters', () => {
  it('re-renders only the lanes whose matches change while the person types', async () => {
    renderBoard('editor', null);
    const before = new Map(laneRenders);
    act(() => setFilter({ ...EMPTY_FILTER, text: 'trnov' })); // lane A: Forum; every other lane: none
    const afterFirst = new Map(laneRenders);
    for (const [id, n] of afterFirst) expect(n, id).toBe(before.get(id)! + 1); // every lane changed: all dimmed or one found
    act(() => setFilter({ ...EMPTY_FILTER, text: 'trnova' })); // same matches everywhere
    expect(laneRenders).toEqual(afterFirst);
    act(() => setFilter({ ...EMPTY_FILTER, text: 'kamp' })); // lane A loses its match, lane C gains one
    const changed = [...laneRenders].filter(([id, n]) => n !== afterFirst.get(id)).map(([id]) => id);
    expect(changed.sort()).toEqual(['lane:l_A', 'lane:l_C']);
    expect(within(laneOf(LANE_C)).getByText('1 od 4 aktivnosti')).toBeTruthy();
    expect(within(laneOf(LANE_A)).getByText('0 od 4 aktivnosti')).toBeTruthy();
  });

  it('an edit elsewhere re-renders only its own lane, also with a filter on', async () => {
    renderBoard('editor', demoMunicipalityId('mostar'));
    act(() => setFilter({ ...EMPTY_FILTER, municipalityId: demoMunicipalityId('mostar') }));
    const before = new Map(laneRenders);
    const cardsBefore = new Map(cardRenders);
    editActivity(doc, activityId('Katalog usluga u regiji'), { status: 'in_progress' });
    await frame();
    const changed = [...laneRenders].filter(([id, n]) => n !== before.get(id)).map(([id]) => id);
    expect(changed).toEqual(['lane:l_C']);
    // Cards of other lanes do not render at all.
    const laneC = new Set(readBoard(doc).lanes.find((l) => l.lane.id === 'l_C')!.activities.map((a) => a.id as string));
    const cardsChanged = [...cardRenders].filter(([id, n]) => n !== cardsBefore.get(id)).map(([id]) => id);
    expect(cardsChanged.length).toBeGreaterThan(0);
    expect(cardsChanged.filter((id) => !laneC.has(id))).toEqual([]);
  });

  it('dims non-matching cards (still readable, with a spoken hint) or hides them', () => {
    renderBoard('viewer', null);
    act(() => setFilter({ ...EMPTY_FILTER, municipalityId: demoMunicipalityId('noviTravnik') }));
    expect(card('Pristupačnost javnih objekata').dataset.filter).toBeUndefined();
    expect(card('Odluka o LDP-u kao savjetodavnom tijelu').dataset.filter).toBeUndefined(); // partner
    const other = card('Katalog usluga u regiji');
    expect(other.dataset.filter).toBe('dimmed');
    expect(other.getAttribute('aria-hidden')).toBeNull();
    expect(other.textContent).toContain('Ne odgovara filterima.');
    act(() => setFilter({ ...EMPTY_FILTER, municipalityId: demoMunicipalityId('noviTravnik'), onlyMatches: true }));
    expect(screen.queryByRole('article', { name: 'Katalog usluga u regiji' })).toBeNull();
    expect(within(laneOf('Održivost LDP-a i međuopštinska saradnja')).getByRole('article')).toBeTruthy(); // "all" partners
    expect(within(laneOf(LANE_C)).getAllByRole('article').map((a) => a.getAttribute('aria-labelledby'))).toHaveLength(1);
  });
});

describe('Join as partner', () => {
  it('one click adds the municipality in one transaction; the button then leaves again', async () => {
    renderBoard('editor', demoMunicipalityId('mostar'));
    const id = activityId('Katalog usluga u regiji');
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    const before = new Map(laneRenders);
    fireEvent.click(within(card('Katalog usluga u regiji')).getByRole('button', { name: 'Pridruži se kao partner aktivnosti „Katalog usluga u regiji"' }));
    expect(transactions).toBe(1);
    expect(readBoard(doc).activityById.get(id)!.partners).toContain(demoMunicipalityId('mostar'));
    await frame();
    expect([...laneRenders].filter(([l, n]) => n !== before.get(l)).map(([l]) => l)).toEqual(['lane:l_C']);
    const joined = card('Katalog usluga u regiji');
    expect(joined.textContent).toContain('Vaš grad: partner');
    fireEvent.click(within(joined).getByRole('button', { name: 'Napusti partnerstvo u aktivnosti „Katalog usluga u regiji"' }));
    expect(transactions).toBe(2);
    expect(readBoard(doc).activityById.get(id)!.partners).not.toContain(demoMunicipalityId('mostar'));
  });

  it('no button where the municipality leads, nor for a viewer; the ownership tag for everyone', () => {
    renderBoard('editor', demoMunicipalityId('mostar'));
    const led = card('Razmjena vijeća mladih');
    expect(led.textContent).toContain('Vaš grad: nosilac');
    expect(within(led).queryByRole('button', { name: /partner/ })).toBeNull();
    expect(within(card('Pristupačnost javnih objekata')).getByRole('button', { name: /^Napusti partnerstvo/ })).toBeTruthy();
  });

  it('a viewer sees the tag but no button; a person without a municipality neither', () => {
    const { unmount } = renderBoard('viewer', demoMunicipalityId('mostar'));
    expect(card('Pristupačnost javnih objekata').textContent).toContain('Vaš grad: partner');
    expect(screen.queryAllByRole('button', { name: /Pridruži se|Napusti/ })).toHaveLength(0);
    unmount();
    renderBoard('editor', null);
    expect(screen.queryAllByRole('button', { name: /Pridruži se|Napusti/ })).toHaveLength(0);
    expect(screen.queryByText(/^Vaš/)).toBeNull();
  });

  it('shows the budget in KM for the UI language, with a hidden label', async () => {
    editActivity(doc, activityId('Dijalog sa mladima'), { budget: 1234.5 });
    renderBoard('viewer', null);
    const text = card('Dijalog sa mladima').textContent!.replace(/\s/g, ' ');
    expect(text).toContain('Sredstva: 1.234,50 KM');
    await act(() => i18n.changeLanguage('sr-Cyrl-BA'));
    expect(screen.getByRole('article', { name: 'Dijalog sa mladima' }).textContent!.replace(/\s/g, ' ')).toContain('Средства: 1.234,50 КМ');
    await act(() => i18n.changeLanguage('bs'));
  });
});

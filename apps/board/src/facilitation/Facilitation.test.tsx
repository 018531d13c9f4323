import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import type { ReactNode } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { type Activity, demoLaneId, readBoard, readFacilitation, roots, seedDemoBoard, setSpotlight, setTimer, timerTransitions } from '@tabla/plan-model';
import { setupI18n } from '../i18n/index.js';
import type { SessionState } from '../session/board-session.js';
import { fakeSession, renderWithSession } from '../test/session.js';
import { Board } from '../ui/Board.js';
import { municipalityCodes } from './codes.js';
import { FacilitationBar } from './FacilitationBar.js';
import { ProjectorScreen } from './ProjectorScreen.js';

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
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  awareness.destroy();
  doc.destroy();
});

const noop = () => {};

function renderScreen(role: SessionState['role'], projector: boolean, children: ReactNode) {
  const codes = municipalityCodes(readBoard(doc).municipalities);
  return renderWithSession(
    fakeSession(doc, { role }, { awareness, link: { boardId: 'b1', token: 't' } }),
    <ProjectorScreen state={{ projector, codes }}>{children}</ProjectorScreen>,
    i18n,
  );
}

const renderBoard = (role: SessionState['role'], projector = false) =>
  renderScreen(role, projector, <Board onAdd={noop} onEdit={noop} projector={projector} />);

/** Lets the board store's once-per-frame notification through. */
const frame = () => act(() => new Promise((r) => setTimeout(r, 40)));
const lane = (title: string) => screen.getByRole('region', { name: title });
const card = (title: string) => screen.getByRole('article', { name: title });
const activityId = (title: string) => [...readBoard(doc).activityById.values()].find((a: Activity) => a.title === title)!.id;

const LANE_A = 'Učešće građana u odlučivanju';
const LANE_B = 'Položaj mladih u lokalnoj zajednici';
const LANES = [LANE_A, LANE_B, 'Podrška djeci i mladima s poteškoćama u razvoju', 'Održivost LDP-a i međuopštinska saradnja', 'Neraspoređene aktivnosti'];

describe('spotlight', () => {
  it('the facilitator spotlights a lane in one operation; the other lanes dim; the button then clears it', async () => {
    renderBoard('facilitator');
    fireEvent.click(within(lane(LANE_B)).getByRole('button', { name: `Istakni oblast „${LANE_B}" za sve` }));
    expect(readFacilitation(roots(doc).facilitation).spotlight).toEqual({ kind: 'lane', id: demoLaneId('B') });
    // The facilitator's focus follows what they spotlight (awareness, for those who follow).
    expect(awareness.getLocalState()?.view).toMatchObject({ focus: { kind: 'lane', id: demoLaneId('B') } });
    await frame();
    expect(lane(LANE_B).className).toContain('lane--spotlit');
    for (const title of LANES.filter((t) => t !== LANE_B)) expect(lane(title).className, title).toContain('lane--dimmed');
    fireEvent.click(within(lane(LANE_B)).getByRole('button', { name: `Prekini isticanje: „${LANE_B}"` }));
    await frame();
    expect(readFacilitation(roots(doc).facilitation).spotlight).toBeNull();
    for (const title of LANES) expect(lane(title).className, title).not.toMatch(/lane--(dimmed|spotlit)/);
  });

  it('a spotlit card: its lane stays, its neighbours and the other lanes dim, for a coordinator too', async () => {
    renderBoard('editor');
    expect(screen.queryAllByRole('button', { name: /^Istakni/ })).toHaveLength(0); // facilitator only
    act(() => setSpotlight(doc, { kind: 'activity', id: activityId('Dijalog sa mladima') }));
    await frame();
    expect(card('Dijalog sa mladima').className).toContain('card--spotlit');
    expect(card('Razmjena vijeća mladih').className).toContain('card--spot-dimmed');
    expect(lane(LANE_B).className).not.toContain('lane--dimmed');
    expect(lane(LANE_A).className).toContain('lane--dimmed');
  });
});

describe('projector view', () => {
  it('has no editing chrome and shows municipality codes beside their colours', () => {
    renderBoard('facilitator', true);
    expect(screen.queryAllByRole('button', { name: /Dodaj aktivnost|Uredi|Pridruži se|Istakni/ })).toHaveLength(0);
    const lead = card('Razmjena vijeća mladih').querySelector('.card__lead')!;
    expect(lead.textContent).toBe('MOSNosilac: Grad Mostar');
    expect(card('Forum građana „Dva Trnova"').querySelector('.card__lead .chip__code')!.textContent).toBe('TRN1');
    expect(card('Forum građana „Dva Trnova"').querySelector('.card__partners .chip__code')!.textContent).toBe('TRN2');
  });

  it('every board shows municipalities as chips: colour and code, the name for screen readers and on hover', () => {
    renderBoard('editor');
    const partners = card('Forum građana „Dva Trnova"').querySelector('.card__partners')!;
    expect(partners.textContent).toBe('Partneri: TRN2Partner: Opština Trnovo');
    expect(partners.querySelector('.chip')!.getAttribute('title')).toBe('Partner: Opština Trnovo');
    expect(card('Forum građana „Dva Trnova"').querySelector('.card__lead .chip__code')!.textContent).toBe('TRN1');
  });
});

describe('timer', () => {
  it('the facilitator sets minutes (decimal comma too), starts, pauses, adds a minute and resets: one operation each', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'], now: 1_700_000_000_000 });
    renderScreen('facilitator', false, <FacilitationBar projector={false} />);
    const updates = vi.fn();
    doc.on('update', updates);
    const timerOf = () => readFacilitation(roots(doc).facilitation).timer;
    const minutes = screen.getByLabelText('Minute');
    fireEvent.change(minutes, { target: { value: 'pet' } });
    fireEvent.click(screen.getByRole('button', { name: 'Postavi' }));
    expect(screen.getByRole('alert').textContent).toContain('Upišite broj minuta');
    expect(timerOf()).toBeNull();

    fireEvent.change(minutes, { target: { value: '1,5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Postavi' }));
    expect(timerOf()).toEqual({ durationMs: 90_000, endsAt: null, remainingMs: 90_000 });
    await act(() => vi.advanceTimersByTimeAsync(50));
    const display = screen.getByRole('timer', { name: 'Tajmer' });
    expect(display.textContent).toBe('01:30');
    expect(display.getAttribute('aria-live')).toBe('off');

    fireEvent.click(screen.getByRole('button', { name: 'Pokreni' }));
    expect(timerOf()!.endsAt).toBe(Date.now() + 90_000);
    // Each second turns over just after its boundary (5 ms), for everyone alike.
    await act(() => vi.advanceTimersByTimeAsync(1_010));
    expect(screen.getByRole('timer').textContent).toBe('01:29');
    await act(() => vi.advanceTimersByTimeAsync(9_000));
    expect(screen.getByRole('timer').textContent).toBe('01:20');

    fireEvent.click(screen.getByRole('button', { name: 'Pauziraj' }));
    expect(timerOf()).toMatchObject({ endsAt: null, remainingMs: 79_990 });
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(screen.getByRole('timer').textContent).toBe('01:20');
    expect(screen.getByText('Pauzirano')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: '+1 min' }));
    await act(() => vi.advanceTimersByTimeAsync(50));
    expect(screen.getByRole('timer').textContent).toBe('02:20');
    expect(screen.getByText('Pauzirano')).toBeTruthy(); // more time left than was set: still paused, not "not started"
    fireEvent.click(screen.getByRole('button', { name: 'Vrati na početak' }));
    await act(() => vi.advanceTimersByTimeAsync(50));
    expect(screen.getByRole('timer').textContent).toBe('01:30');
    fireEvent.click(screen.getByRole('button', { name: 'Postavi tajmer na 5 minuta' }));
    expect(timerOf()).toEqual({ durationMs: 300_000, endsAt: null, remainingMs: 300_000 });
    expect(updates).toHaveBeenCalledTimes(6); // set, start, pause, +1, reset, preset
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('everyone sees the end: 00:00 and a banner announced once', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'], now: 1_700_000_000_000 });
    setTimer(doc, timerTransitions.start(timerTransitions.set(3_000), Date.now()));
    renderScreen('viewer', true, <FacilitationBar projector />);
    expect(screen.getByRole('timer').textContent).toBe('00:03');
    expect(screen.queryByRole('button', { name: 'Pokreni' })).toBeNull(); // facilitator only
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(screen.getByRole('timer').textContent).toBe('00:00');
    expect(screen.getByRole('alert').textContent).toBe('Vrijeme je isteklo');
  });
});

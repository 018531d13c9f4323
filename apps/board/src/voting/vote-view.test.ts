import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  type ActivityId,
  closeVote,
  demoLaneId,
  demoMunicipalityId,
  giveDot,
  openVote,
  readBoard,
  revealVote,
  seedDemoBoard,
  setSpotlight,
  type VoteResult,
} from '@tabla/plan-model';
import { dotMessagesOf } from './status.js';
import { defaultVoteScope, dotFailure, laneVoteData, parseDots, pastVotes, rankResults, scopeTitle, voteProgress, voterStatus } from './vote-view.js';

const MOSTAR = demoMunicipalityId('mostar');
const TRNOVO = demoMunicipalityId('trnovoF');

function demo() {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  const id = (title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!.id;
  return { doc, id };
}

const result = (title: string, dots: number, municipalities: number): VoteResult => ({ activityId: `a_${title}` as ActivityId, title, dots, municipalities });

describe('parseDots', () => {
  it('takes whole numbers 1–20 only', () => {
    expect(['1', ' 3 ', '20'].map(parseDots)).toEqual([1, 3, 20]);
    expect(['0', '21', '2,5', '2.5', '', 'tri', '-1', '1e1'].map(parseDots)).toEqual(Array(8).fill(null));
  });
});

describe('defaultVoteScope', () => {
  it('the spotlit lane, else the spotlit card’s lane, else the facilitator’s focus, else the whole board', () => {
    const { doc, id } = demo();
    expect(defaultVoteScope(readBoard(doc), null)).toBeNull();
    expect(defaultVoteScope(readBoard(doc), { kind: 'lane', id: demoLaneId('C') })).toBe(demoLaneId('C'));
    expect(defaultVoteScope(readBoard(doc), { kind: 'activity', id: id('Dijalog sa mladima') })).toBe(demoLaneId('B'));
    expect(defaultVoteScope(readBoard(doc), { kind: 'activity', id: id('Volonterska akcija osnovaca') })).toBeNull(); // not placed
    setSpotlight(doc, { kind: 'lane', id: demoLaneId('A') });
    expect(defaultVoteScope(readBoard(doc), { kind: 'lane', id: demoLaneId('C') })).toBe(demoLaneId('A'));
    setSpotlight(doc, { kind: 'activity', id: id('Katalog usluga u regiji') });
    expect(defaultVoteScope(readBoard(doc), null)).toBe(demoLaneId('C'));
    setSpotlight(doc, { kind: 'lane', id: 'l_gone' });
    expect(defaultVoteScope(readBoard(doc), { kind: 'lane', id: 'l_gone' })).toBeNull();
  });
});

describe('voterStatus', () => {
  it('only a coordinator bound to a municipality of the board votes, and not in projector view', () => {
    const board = readBoard(demo().doc);
    expect(voterStatus({ role: 'editor', municipalityId: MOSTAR }, board, false)).toEqual({ kind: 'voter', municipalityId: MOSTAR });
    expect(voterStatus({ role: 'editor', municipalityId: MOSTAR }, board, true)).toEqual({ kind: 'watcher' });
    expect(voterStatus({ role: 'editor', municipalityId: null }, board, false)).toEqual({ kind: 'unbound' });
    expect(voterStatus({ role: 'editor', municipalityId: 'm_gone' }, board, false)).toEqual({ kind: 'unbound' });
    expect(voterStatus({ role: 'facilitator', municipalityId: null }, board, false)).toEqual({ kind: 'watcher' });
    expect(voterStatus({ role: 'viewer', municipalityId: MOSTAR }, board, false)).toEqual({ kind: 'watcher' });
    expect(voterStatus({ role: null, municipalityId: null }, board, false)).toEqual({ kind: 'watcher' });
  });
});

describe('the cards’ view of a vote', () => {
  it('while open: only the voter’s own dots, none for a watcher; revealed: everyone’s totals; closed: nothing', () => {
    const { doc, id } = demo();
    const voteId = openVote(doc, { laneId: demoLaneId('B'), dots: 3 }, 1_000);
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    giveDot(doc, voteId, TRNOVO, id('Dijalog sa mladima'), 1);
    giveDot(doc, voteId, TRNOVO, id('Mapa prostora za mlade'), 1);
    const open = readBoard(doc).votes[0]!;
    expect(laneVoteData(open, MOSTAR, readBoard(doc).activityById)).toEqual({ laneId: demoLaneId('B'), mode: 'own', dots: { [id('Dijalog sa mladima')]: 1 }, canAdd: true });
    expect(laneVoteData(open, TRNOVO, readBoard(doc).activityById)).toMatchObject({ mode: 'own', canAdd: true });
    giveDot(doc, voteId, TRNOVO, id('Razmjena vijeća mladih'), 1);
    expect(laneVoteData(readBoard(doc).votes[0]!, TRNOVO, readBoard(doc).activityById)).toMatchObject({ canAdd: false });
    expect(laneVoteData(open, null, readBoard(doc).activityById)).toBeNull();
    expect(voteProgress(readBoard(doc).votes[0]!, readBoard(doc))).toEqual({ voted: 2, total: 8 });

    revealVote(doc, voteId);
    const revealed = readBoard(doc).votes[0]!;
    const totals = { [id('Dijalog sa mladima')]: 2, [id('Mapa prostora za mlade')]: 1, [id('Razmjena vijeća mladih')]: 1 };
    expect(laneVoteData(revealed, null, readBoard(doc).activityById)).toEqual({ laneId: demoLaneId('B'), mode: 'total', dots: totals, canAdd: false });
    expect(laneVoteData(revealed, MOSTAR, readBoard(doc).activityById)).toEqual(laneVoteData(revealed, null, readBoard(doc).activityById));
    expect(laneVoteData(null, MOSTAR, readBoard(doc).activityById)).toBeNull();

    closeVote(doc, voteId);
    expect(laneVoteData(readBoard(doc).votes[0]!, MOSTAR, readBoard(doc).activityById)).toBeNull();
    expect(pastVotes(readBoard(doc).votes).map((v) => v.id)).toEqual([voteId]);
  });

  it('says why a dot was not given', () => {
    const { doc, id } = demo();
    const voteId = openVote(doc, { laneId: null, dots: 1 }, 1_000);
    expect(dotFailure(readBoard(doc).votes[0]!, MOSTAR, -1, readBoard(doc).activityById)).toBe('notInVote');
    giveDot(doc, voteId, MOSTAR, id('Dijalog sa mladima'), 1);
    expect(dotFailure(readBoard(doc).votes[0]!, MOSTAR, 1, readBoard(doc).activityById)).toBe('noDotsLeft');
    revealVote(doc, voteId);
    expect(dotFailure(readBoard(doc).votes[0]!, MOSTAR, 1, readBoard(doc).activityById)).toBe('notOpen');
    expect(dotFailure(null, MOSTAR, 1, readBoard(doc).activityById)).toBe('notOpen');
  });
});

describe('rankResults', () => {
  it('numbers the sorted results; equal dots and equal backing share a rank', () => {
    const ranked = rankResults([result('a', 5, 3), result('b', 4, 3), result('c', 4, 3), result('d', 4, 2), result('e', 1, 1)]);
    expect(ranked.map((r) => [r.title, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
      ['d', 4],
      ['e', 5],
    ]);
    expect(rankResults([])).toEqual([]);
  });
});

describe('scopeTitle', () => {
  it('a lane’s title, null for the whole board, undefined for a lane no longer there', () => {
    const board = readBoard(demo().doc);
    expect(scopeTitle(board, demoLaneId('A'))).toBe('Učešće građana u odlučivanju');
    expect(scopeTitle(board, null)).toBeNull();
    expect(scopeTitle(board, 'l_gone' as never)).toBeUndefined();
  });
});

describe('dot messages', () => {
  it('one store per document; tells its listeners only of a change', () => {
    const a = {};
    const store = dotMessagesOf(a);
    expect(dotMessagesOf(a)).toBe(store);
    expect(dotMessagesOf({})).not.toBe(store);
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.set({ voteId: 'v1', failure: 'noDotsLeft' });
    store.set({ voteId: 'v1', failure: 'noDotsLeft' });
    expect(calls).toBe(1);
    store.set(null);
    expect(calls).toBe(2);
    expect(store.get()).toBeNull();
    off();
    store.set({ voteId: 'v1', failure: 'notOpen' });
    expect(calls).toBe(2);
  });
});

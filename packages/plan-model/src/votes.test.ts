import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId } from './demo.js';
import type { ActivityId } from './ids.js';
import { addMunicipality, deleteActivity, moveActivity, PlanError } from './operations.js';
import { canWriteRoot } from './roles.js';
import { roots } from './schema.js';
import { demoDoc } from './test/docs.js';
import { documentProblems, inspectTransaction, type ChangeReport } from './validate.js';
import {
  closeVote,
  countedBallot,
  currentVote,
  dotsGiven,
  dotsLeft,
  giveDot,
  municipalitiesVoted,
  openVote,
  readVotes,
  rerunVote,
  revealVote,
  tallyVote,
  voteViolations,
} from './votes.js';

const NOW = 1_790_000_000_000;
const mostar = demoMunicipalityId('mostar');
const bugojno = demoMunicipalityId('bugojno');
const trnovo = demoMunicipalityId('trnovoF');

const demo = demoDoc;
const inLane = (doc: Y.Doc, key: 'A' | 'B' | 'C' | 'D') => readBoard(doc).lanes.find((l) => l.lane.id === demoLaneId(key))!.activities.map((a) => a.id);
const vote = (doc: Y.Doc, id: string) => readVotes(roots(doc).votes).find((v) => v.id === id)!;

/** A replica of `doc` with `run` applied, and what the server's shadow inspection reports of it. */
function change(doc: Y.Doc, run: (d: Y.Doc) => void): { after: Y.Doc; report: ChangeReport } {
  const after = new Y.Doc();
  roots(after);
  Y.applyUpdate(after, Y.encodeStateAsUpdate(doc));
  let report: ChangeReport | null = null;
  after.on('afterTransaction', (tr: Y.Transaction) => (report = inspectTransaction(tr)));
  const probe = new Y.Doc();
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(probe);
  run(probe);
  Y.applyUpdate(after, Y.encodeStateAsUpdate(probe, sv));
  return { after, report: report! };
}

describe('dot voting per municipality', () => {
  it('[PM20] gives each municipality N dots over a lane, hidden per municipality, tallied most dots first', () => {
    const doc = demo();
    const [a1, a2, a3] = inLane(doc, 'B') as [ActivityId, ActivityId, ActivityId];
    const id = openVote(doc, { laneId: demoLaneId('B'), dots: 3 }, NOW);
    // Every municipality's ballot exists from the start (concurrent first dots cannot lose a map).
    expect(Object.keys(vote(doc, id).ballots).sort()).toEqual([...roots(doc).municipalities.keys()].sort());
    giveDot(doc, id, mostar, a1, 1);
    giveDot(doc, id, mostar, a1, 1);
    giveDot(doc, id, mostar, a2, 1);
    expect(dotsLeft(vote(doc, id), mostar, readBoard(doc).activityById)).toBe(0);
    expect(() => giveDot(doc, id, mostar, a3, 1)).toThrow(PlanError);
    giveDot(doc, id, mostar, a1, -1); // take one back
    giveDot(doc, id, mostar, a3, 1);
    giveDot(doc, id, bugojno, a3, 1);
    giveDot(doc, id, bugojno, a2, 1);
    giveDot(doc, id, trnovo, a3, 1);
    expect(municipalitiesVoted(vote(doc, id), readBoard(doc).activityById)).toEqual([bugojno, mostar, trnovo].sort());
    const titles = readBoard(doc).activityById;
    expect(tallyVote(vote(doc, id), titles).map((r) => [r.activityId, r.dots, r.municipalities])).toEqual([
      [a3, 3, 3],
      [a2, 2, 2],
      [a1, 1, 1],
    ]);
    expect(documentProblems(doc)).toEqual([]);
  });

  it('[PM20] only activities of the vote\'s lane take dots; the whole board takes any placed one', () => {
    const doc = demo();
    const inA = inLane(doc, 'A')[0]!;
    const unplaced = readBoard(doc).unplaced[0]!.id;
    const laneVote = openVote(doc, { laneId: demoLaneId('B'), dots: 2 }, NOW);
    expect(() => giveDot(doc, laneVote, mostar, inA, 1)).toThrow(/not part/);
    const boardVote = openVote(doc, { laneId: null, dots: 2 }, NOW + 1);
    giveDot(doc, boardVote, mostar, inA, 1);
    expect(() => giveDot(doc, boardVote, mostar, unplaced, 1)).toThrow(/not part/);
  });

  it('[PM21] reveal freezes sorted results; close keeps them; re-run opens a fresh vote and keeps the old one', () => {
    const doc = demo();
    const [a1, a2] = inLane(doc, 'C') as [ActivityId, ActivityId];
    const id = openVote(doc, { laneId: demoLaneId('C'), dots: 2 }, NOW);
    giveDot(doc, id, mostar, a2, 1);
    giveDot(doc, id, bugojno, a2, 1);
    giveDot(doc, id, bugojno, a1, 1);
    expect(vote(doc, id).results).toBeNull(); // hidden until revealed
    revealVote(doc, id);
    const revealed = vote(doc, id);
    expect(revealed.state).toBe('revealed');
    expect(revealed.results!.map((r) => r.activityId)).toEqual([a2, a1]);
    expect(() => giveDot(doc, id, mostar, a1, 1)).toThrow(/not open/);
    deleteActivity(doc, a1); // results keep their titles
    closeVote(doc, id);
    expect(vote(doc, id).state).toBe('closed');
    expect(vote(doc, id).results).toEqual(revealed.results);
    const again = rerunVote(doc, id, NOW + 60_000);
    const votes = readVotes(roots(doc).votes);
    expect(votes.map((v) => [v.id, v.state])).toEqual([
      [id, 'closed'],
      [again, 'open'],
    ]);
    expect(currentVote(votes)!.id).toBe(again);
    expect(vote(doc, again)).toMatchObject({ laneId: demoLaneId('C'), dots: 2 });
    expect(municipalitiesVoted(vote(doc, again), readBoard(doc).activityById)).toEqual([]);
  });

  it('[PM20] a card deleted or moved out of the vote gives its dots back; they leave the tally', () => {
    const doc = demo();
    const [a1, a2, a3] = inLane(doc, 'B') as [ActivityId, ActivityId, ActivityId];
    const id = openVote(doc, { laneId: demoLaneId('B'), dots: 2 }, NOW);
    giveDot(doc, id, mostar, a1, 1);
    giveDot(doc, id, mostar, a2, 1);
    giveDot(doc, id, bugojno, a2, 1);
    expect(() => giveDot(doc, id, mostar, a3, 1)).toThrow(/no dots left/);
    deleteActivity(doc, a1); // merged into another card, say
    moveActivity(doc, a2, demoLaneId('A'), 0);
    const activities = readBoard(doc).activityById;
    expect(dotsLeft(vote(doc, id), mostar, activities)).toBe(2);
    expect(tallyVote(vote(doc, id), activities)).toEqual([]);
    giveDot(doc, id, mostar, a2, -1); // a dot can always be taken back, wherever its card went
    expect(vote(doc, id).ballots[mostar]).toEqual({ [a1]: 1 });
    giveDot(doc, id, mostar, a3, 1);
    expect(vote(doc, id).ballots[mostar]).toEqual({ [a3]: 1 }); // the deleted card's dot cleared with it
  });

  it('[PM20] two delegates of one municipality at the same moment: one dot too many is kept, not counted', () => {
    const doc = demo();
    const [a1, a2, a3] = inLane(doc, 'B') as [ActivityId, ActivityId, ActivityId];
    const id = openVote(doc, { laneId: demoLaneId('B'), dots: 2 }, NOW);
    giveDot(doc, id, mostar, a2, 1);
    // Two delegates, each seeing one dot left, give it at once.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    giveDot(doc, id, mostar, a3, 1);
    giveDot(other, id, mostar, a1, 1);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    const activities = readBoard(doc).activityById;
    expect(dotsGiven(vote(doc, id), mostar, activities)).toBe(3);
    expect(dotsLeft(vote(doc, id), mostar, activities)).toBe(0);
    expect([...countedBallot(vote(doc, id), mostar, activities).values()].reduce((n, d) => n + d, 0)).toBe(2);
    expect(tallyVote(vote(doc, id), activities).reduce((n, r) => n + r.dots, 0)).toBe(2);
    expect(documentProblems(doc)).toEqual([]);
  });

  it('[PM21] opening a vote closes the current one, with its results frozen even if never revealed', () => {
    const doc = demo();
    const a = inLane(doc, 'A')[0]!;
    const first = openVote(doc, { laneId: null, dots: 1 }, NOW);
    giveDot(doc, first, mostar, a, 1);
    openVote(doc, { laneId: null, dots: 1 }, NOW + 1);
    expect(vote(doc, first)).toMatchObject({ state: 'closed', results: [{ activityId: a, dots: 1, municipalities: 1 }] });
  });

  it('[PM6] validation refuses bad counts and bad vote settings', () => {
    const doc = demo();
    const a = inLane(doc, 'A')[0]!;
    const id = openVote(doc, { laneId: null, dots: 2 }, NOW);
    const ballot = roots(doc).votes.get(id)!.get('ballots') as Y.Map<Y.Map<unknown>>;
    ballot.get(mostar)!.set(a, 3);
    expect(documentProblems(doc).join()).toMatch(/dots must be a whole number from 1 to 2/);
    ballot.get(mostar)!.set(a, 0.5);
    expect(documentProblems(doc).join()).toMatch(/whole number/);
    ballot.get(mostar)!.set(a, 0);
    expect(documentProblems(doc).join()).toMatch(/whole number/);
    ballot.get(mostar)!.delete(a);
    expect(documentProblems(doc)).toEqual([]);
    roots(doc).votes.get(id)!.set('state', 'maybe');
    expect(documentProblems(doc).join()).toMatch(/votes\..*state/);
    expect(() => openVote(doc, { laneId: null, dots: 21 }, NOW)).toThrow(PlanError);
  });

  it('[PM22] a coordinator\'s ballot may not grow past 4 entries per dot (a bound, not a count)', () => {
    const doc = demo();
    const id = openVote(doc, { laneId: null, dots: 1 }, NOW);
    const fill = (n: number) =>
      change(doc, (d) => {
        const b = (roots(d).votes.get(id)!.get('ballots') as Y.Map<Y.Map<number>>).get(mostar)!;
        d.transact(() => {
          for (let i = 0; i < n; i++) b.set(`a_${i}`, 1);
        });
      });
    expect(voteViolations(doc, fill(4).after, fill(4).report.votes, mostar)).toEqual([]);
    const five = fill(5);
    expect(voteViolations(doc, five.after, five.report.votes, mostar)).toEqual(['a ballot of more than 4 entries']);
    expect(documentProblems(five.after)).toEqual([]); // a large ballot left by an earlier version stays valid
  });

  it('[PM6] inspectTransaction refuses ballots nested deeper than municipality -> activity -> dots', () => {
    const doc = demo();
    const id = openVote(doc, { laneId: null, dots: 2 }, NOW);
    const deep = change(doc, (d) => {
      const b = (roots(d).votes.get(id)!.get('ballots') as Y.Map<Y.Map<unknown>>).get(mostar)!;
      d.transact(() => b.set('a_x', new Y.Map()));
    });
    expect(deep.report.problems.join()).toMatch(/whole number/);
    const stray = change(doc, (d) => {
      d.transact(() => (roots(d).votes.get(id)!.get('ballots') as Y.Map<unknown>).set(bugojno, 3));
    });
    expect(stray.report.problems.join()).toMatch(/must be a map of dots/);
  });
});

describe('voteViolations (what the server checks of a coordinator)', () => {
  it('[PM22] a coordinator changes its own municipality\'s ballot only; running votes is the facilitator\'s', () => {
    const doc = demo();
    const [a1] = inLane(doc, 'B') as [ActivityId];
    const outside = inLane(doc, 'A')[0]!;
    const id = openVote(doc, { laneId: demoLaneId('B'), dots: 3 }, NOW);
    expect(canWriteRoot('editor', 'votes')).toBe(true);

    const own = change(doc, (d) => giveDot(d, id, mostar, a1, 1));
    expect([...own.report.votes]).toEqual([[id, { settings: false, ballots: new Set([mostar]) }]]);
    expect(voteViolations(doc, own.after, own.report.votes, mostar)).toEqual([]);
    // The same dots sent by another municipality's link, or by a link bound to none.
    expect(voteViolations(doc, own.after, own.report.votes, bugojno)).toEqual([`dots of another municipality (${mostar})`]);
    expect(voteViolations(doc, own.after, own.report.votes, null)).toEqual(['voting needs a municipality link']);

    const settings = change(doc, (d) => revealVote(d, id));
    expect(voteViolations(doc, settings.after, settings.report.votes, mostar)[0]).toMatch(/only the facilitator/);
    const newVote = change(doc, (d) => openVote(d, { laneId: null, dots: 20 }, NOW));
    expect(voteViolations(doc, newVote.after, newVote.report.votes, mostar)[0]).toMatch(/only the facilitator/);
    const deleted = change(doc, (d) => d.transact(() => roots(d).votes.delete(id)));
    expect(voteViolations(doc, deleted.after, deleted.report.votes, mostar)[0]).toMatch(/only the facilitator/);
    const ballotsReplaced = change(doc, (d) => d.transact(() => roots(d).votes.get(id)!.set('ballots', new Y.Map())));
    expect(voteViolations(doc, ballotsReplaced.after, ballotsReplaced.report.votes, mostar)[0]).toMatch(/only the facilitator/);

    // A dot outside the vote's lane, or after the reveal, is harmless: kept, never counted.
    const outsideDot = change(doc, (d) => {
      const b = (roots(d).votes.get(id)!.get('ballots') as Y.Map<Y.Map<number>>).get(mostar)!;
      d.transact(() => b.set(outside, 1));
    });
    expect(voteViolations(doc, outsideDot.after, outsideDot.report.votes, mostar)).toEqual([]);
    expect(countedBallot(vote(outsideDot.after, id), mostar, readBoard(outsideDot.after).activityById).has(outside)).toBe(false);
    revealVote(doc, id);
    const late = change(doc, (d) => {
      const b = (roots(d).votes.get(id)!.get('ballots') as Y.Map<Y.Map<number>>).get(mostar)!;
      d.transact(() => b.set(a1, 1));
    });
    expect(voteViolations(doc, late.after, late.report.votes, mostar)).toEqual([]);
    expect(vote(late.after, id).results).toEqual(vote(doc, id).results); // frozen at the reveal
  });

  it('[PM22] a municipality added while a vote is open gets its ballot with it', () => {
    const doc = demo();
    const a1 = inLane(doc, 'B')[0]!;
    const id = openVote(doc, { laneId: null, dots: 1 }, NOW);
    const fresh = addMunicipality(doc, { name: 'Opština Pale', color: '#123456' });
    expect(vote(doc, id).ballots[fresh]).toEqual({});
    const first = change(doc, (d) => giveDot(d, id, fresh, a1, 1));
    expect(first.report.problems).toEqual([]);
    expect(voteViolations(doc, first.after, first.report.votes, fresh)).toEqual([]);
  });

  it('[PM21] closing a vote also closes an older one still open (two facilitator screens)', () => {
    const doc = demo();
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const first = openVote(doc, { laneId: null, dots: 1 }, NOW);
    const second = openVote(other, { laneId: null, dots: 2 }, NOW + 5);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    expect(readVotes(roots(doc).votes).map((v) => v.state)).toEqual(['open', 'open']);
    closeVote(doc, second);
    expect(readVotes(roots(doc).votes).map((v) => [v.id, v.state])).toEqual([
      [first, 'closed'],
      [second, 'closed'],
    ]);
    expect(currentVote(readVotes(roots(doc).votes))).toBeNull();
  });
});

/**
 * Coordinator links bound to a municipality (issue 5, points 2 and 7): what such a coordinator
 * adds, joins and votes is attributed to its municipality, and the server refuses anything said
 * in another's name: "added by", partner joins, dots of another municipality, or more dots than
 * a municipality has. Stock y-websocket clients against the real server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import {
  type ActivityId,
  addActivity,
  demoLaneId,
  demoMunicipalityId,
  countedBallot,
  giveDot,
  moveActivity,
  type MunicipalityId,
  openVote,
  readBoard,
  readVotes,
  revealVote,
  roots,
  setActivityPartner,
  setBoardLocked,
} from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { type StockClient, waitFor } from '@tabla/test-clients';
import { issueMunicipalityLink, type TestServer, testServer } from './harness.js';

const MOSTAR = demoMunicipalityId('mostar');
const BUGOJNO = demoMunicipalityId('bugojno');
const LANE_B = demoLaneId('B');

let h: TestServer;
afterEach(async () => h?.stop());

async function synced(p: StockClient): Promise<StockClient> {
  await p.synced;
  return p;
}

/** A coordinator on the main board with the link of one municipality (or the general link: null). */
async function coordinator(municipality: MunicipalityId | null): Promise<StockClient> {
  const token = municipality ? await issueMunicipalityLink(h, municipality) : h.tokens.editor;
  return synced(h.connect('editor', { boardId: h.boardId, tokens: { ...h.tokens, editor: token } }));
}

/** Runs a change on a client and expects the server to refuse it: closed 44xx, nothing stored. */
async function expectRefused(client: StockClient, change: (doc: Y.Doc) => void, code: CloseCode = CloseCode.forbidden): Promise<void> {
  const stored = h.sync.stats.updatesStored;
  change(client.doc);
  await waitFor(() => client.closes.length > 0, 5000, 'refused');
  expect(client.closes[0]!.code).toBe(code);
  expect(h.sync.stats.updatesStored).toBe(stored);
  client.destroy();
}

async function expectStored(change: () => void): Promise<void> {
  const stored = h.sync.stats.updatesStored;
  change();
  await waitFor(() => h.sync.stats.updatesStored > stored, 5000, 'stored');
}

const titled = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title);

describe('coordinator links bound to a municipality', () => {
  it('"added by" is the link\'s municipality: signed in its name, never in another\'s, never by the general link', async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const mostar = await coordinator(MOSTAR);
    await expectStored(() => addActivity(mostar.doc, { title: 'Mostarski prijedlog' }, { laneId: LANE_B }, { createdBy: MOSTAR }));
    await waitFor(() => titled(facilitator.doc, 'Mostarski prijedlog') !== undefined, 5000, 'relayed');
    expect(titled(facilitator.doc, 'Mostarski prijedlog')!.createdBy).toBe(MOSTAR);

    await expectRefused(await coordinator(MOSTAR), (d) => addActivity(d, { title: 'Lažni' }, { laneId: LANE_B }, { createdBy: BUGOJNO }));
    await expectRefused(await coordinator(MOSTAR), (d) => addActivity(d, { title: 'Nepotpisani' }, { laneId: LANE_B }));
    await expectRefused(await coordinator(null), (d) => addActivity(d, { title: 'Lažni' }, { laneId: LANE_B }, { createdBy: BUGOJNO }));
    const id = titled(facilitator.doc, 'Mostarski prijedlog')!.id;
    await expectRefused(await coordinator(BUGOJNO), (d) => roots(d).activities.get(id)!.set('createdBy', BUGOJNO));
    expect(titled(facilitator.doc, 'Lažni')).toBeUndefined();
  });

  it('a municipality joins or leaves by itself; only the proposer names other partners', async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const demoActivity = titled(facilitator.doc, 'Dijalog sa mladima')!.id;
    const bugojno = await coordinator(BUGOJNO);
    await expectStored(() => setActivityPartner(bugojno.doc, demoActivity, BUGOJNO, true));
    await expectRefused(await coordinator(MOSTAR), (d) => setActivityPartner(d, demoActivity, BUGOJNO, false));

    const mostar = await coordinator(MOSTAR);
    let own!: ActivityId;
    await expectStored(() => (own = addActivity(mostar.doc, { title: 'Mostarski', partners: [BUGOJNO] }, { laneId: LANE_B }, { createdBy: MOSTAR })));
    await expectStored(() => setActivityPartner(mostar.doc, own, BUGOJNO, false)); // the proposer manages its partners
    await waitFor(() => titled(facilitator.doc, 'Mostarski')?.partners.length === 0, 5000, 'relayed');
    await expectRefused(await coordinator(BUGOJNO), (d) => setActivityPartner(d, own, demoMunicipalityId('trnovoF'), true));
    expect(mostar.closes).toEqual([]);
    expect(bugojno.closes).toEqual([]);
  });
});

describe('dot voting per municipality, enforced by the server', () => {
  async function openLaneVote(facilitator: StockClient, dots = 2): Promise<{ voteId: string; activities: ActivityId[] }> {
    const voteId = openVote(facilitator.doc, { laneId: LANE_B, dots }, Date.now());
    await waitFor(() => h.sync.stats.updatesStored > 0, 5000, 'vote stored');
    const activities = readBoard(facilitator.doc).lanes.find((l) => l.lane.id === LANE_B)!.activities.map((a) => a.id);
    return { voteId, activities };
  }
  const ballot = (doc: Y.Doc, voteId: string, m: string) => (roots(doc).votes.get(voteId)!.get('ballots') as Y.Map<Y.Map<number>>).get(m)!;

  it('each municipality gives its own N dots; two delegates share them, and a race between them costs nobody the connection', async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const { voteId, activities } = await openLaneVote(facilitator);
    const [a1, a2, a3] = activities as [ActivityId, ActivityId, ActivityId];
    // Two delegates of Mostar on one link: they share Mostar's dots.
    const mostarLink = { boardId: h.boardId, tokens: { ...h.tokens, editor: await issueMunicipalityLink(h, MOSTAR) } };
    const first = await synced(h.connect('editor', mostarLink));
    const second = await synced(h.connect('editor', mostarLink));
    const bugojno = await coordinator(BUGOJNO);
    await expectStored(() => giveDot(first.doc, voteId, MOSTAR, a1, 1));
    await waitFor(() => readVotes(roots(second.doc).votes)[0]!.ballots[MOSTAR]?.[a1] === 1, 5000, 'the delegate sees it');
    // Both delegates see one dot left and give it at the same moment: both kept, two of three count.
    const stored = h.sync.stats.updatesStored;
    giveDot(first.doc, voteId, MOSTAR, a2, 1);
    giveDot(second.doc, voteId, MOSTAR, a3, 1);
    await waitFor(() => h.sync.stats.updatesStored === stored + 2, 5000, 'both stored');
    await expectStored(() => giveDot(bugojno.doc, voteId, BUGOJNO, a2, 1));
    await waitFor(() => Object.keys(readVotes(roots(facilitator.doc).votes)[0]!.ballots[BUGOJNO] ?? {}).length === 1, 5000, 'relayed');
    await waitFor(() => Object.keys(readVotes(roots(facilitator.doc).votes)[0]!.ballots[MOSTAR] ?? {}).length === 3, 5000, 'relayed');
    const counted = countedBallot(readVotes(roots(facilitator.doc).votes)[0]!, MOSTAR, readBoard(facilitator.doc).activityById);
    expect([...counted.values()].reduce((n, d) => n + d, 0)).toBe(2);

    revealVote(facilitator.doc, voteId);
    await waitFor(() => readVotes(roots(bugojno.doc).votes)[0]!.state === 'revealed', 5000, 'revealed');
    const results = readVotes(roots(bugojno.doc).votes)[0]!.results!;
    expect(results.reduce((n, r) => n + r.dots, 0)).toBe(3); // Mostar 2 + Bugojno 1
    // A dot arriving after the reveal (given offline, say) is kept, costs no connection, changes no result.
    await expectStored(() => ballot(bugojno.doc, voteId, BUGOJNO).set(a1, 1));
    await waitFor(() => readVotes(roots(facilitator.doc).votes)[0]!.ballots[BUGOJNO]?.[a1] === 1, 5000, 'relayed');
    expect(readVotes(roots(facilitator.doc).votes)[0]!.results).toEqual(results);
    for (const c of [first, second, bugojno]) expect(c.closes).toEqual([]);
  });

  it('dots go on while the board is locked: a lock holds activities, not the vote', async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const { voteId, activities } = await openLaneVote(facilitator);
    setBoardLocked(facilitator.doc, true);
    const mostar = await coordinator(MOSTAR);
    await waitFor(() => readBoard(mostar.doc).meta.locked, 5000, 'lock relayed');
    await expectStored(() => giveDot(mostar.doc, voteId, MOSTAR, activities[0]!, 1));
    await expectRefused(mostar, (d) => moveActivity(d, activities[0]!, demoLaneId('A'), 0)); // the lock itself still holds
  });

  it("refuses dots in another municipality's name, from the general link, from a viewer, and a coordinator running the vote", async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const { voteId, activities } = await openLaneVote(facilitator);
    await expectRefused(await coordinator(MOSTAR), (d) => giveDot(d, voteId, BUGOJNO, activities[0]!, 1));
    const bugojno = await coordinator(BUGOJNO);
    await expectStored(() => giveDot(bugojno.doc, voteId, BUGOJNO, activities[1]!, 1));
    const mostar = await coordinator(MOSTAR);
    await waitFor(() => ballot(mostar.doc, voteId, BUGOJNO).has(activities[1]!), 5000, 'relayed');
    await expectRefused(mostar, (d) => ballot(d, voteId, BUGOJNO).delete(activities[1]!)); // taking another's dot away
    await expectRefused(await coordinator(null), (d) => giveDot(d, voteId, MOSTAR, activities[0]!, 1));
    await expectRefused(await synced(h.connect('viewer')), (d) => giveDot(d, voteId, MOSTAR, activities[0]!, 1));
    await expectRefused(await coordinator(MOSTAR), (d) => revealVote(d, voteId));
    await expectRefused(await coordinator(MOSTAR), (d) => openVote(d, { laneId: null, dots: 20 }, Date.now()));
    await expectRefused(await coordinator(MOSTAR), (d) => ballot(d, voteId, MOSTAR).set(activities[0]!, 3), CloseCode.invalidUpdate); // over N on one card
    const [v] = readVotes(roots(facilitator.doc).votes);
    expect(v!.state).toBe('open');
    expect(Object.entries(v!.ballots).filter(([, b]) => Object.keys(b).length > 0)).toEqual([[BUGOJNO, { [activities[1]!]: 1 }]]);
  });
});

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
  giveDot,
  type MunicipalityId,
  openVote,
  readBoard,
  readVotes,
  revealVote,
  roots,
  setActivityPartner,
} from '@tabla/plan-model';
import { CloseCode } from '../protocol.js';
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

  it('each municipality gives its own N dots; the facilitator sees them all; a second delegate shares the same N', async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const { voteId, activities } = await openLaneVote(facilitator);
    const [a1, a2] = activities as [ActivityId, ActivityId];
    // Two delegates of Mostar on one link: they share Mostar's dots.
    const mostarLink = { boardId: h.boardId, tokens: { ...h.tokens, editor: await issueMunicipalityLink(h, MOSTAR) } };
    const first = await synced(h.connect('editor', mostarLink));
    const second = await synced(h.connect('editor', mostarLink));
    const bugojno = await coordinator(BUGOJNO);
    await expectStored(() => giveDot(first.doc, voteId, MOSTAR, a1, 1));
    await waitFor(() => readVotes(roots(second.doc).votes)[0]!.ballots[MOSTAR]?.[a1] === 1, 5000, 'the delegate sees it');
    await expectStored(() => giveDot(second.doc, voteId, MOSTAR, a2, 1));
    await expectStored(() => giveDot(bugojno.doc, voteId, BUGOJNO, a2, 1));
    await waitFor(() => Object.keys(readVotes(roots(facilitator.doc).votes)[0]!.ballots[BUGOJNO] ?? {}).length === 1, 5000, 'relayed');
    // Mostar has used both dots: a third, written by hand past giveDot's check, is invalid.
    await expectRefused(second, (d) => ballot(d, voteId, MOSTAR).set(a2, 2), CloseCode.invalidUpdate);

    revealVote(facilitator.doc, voteId);
    await waitFor(() => readVotes(roots(bugojno.doc).votes)[0]!.state === 'revealed', 5000, 'revealed');
    expect(readVotes(roots(bugojno.doc).votes)[0]!.results!.map((r) => [r.activityId, r.dots])).toEqual([
      [a2, 2],
      [a1, 1],
    ]);
    await expectRefused(bugojno, (d) => ballot(d, voteId, BUGOJNO).set(a1, 1)); // no dots after the reveal
    expect(first.closes).toEqual([]);
  });

  it("refuses dots in another municipality's name, from the general link, from a viewer, outside the lane, and a coordinator running the vote", async () => {
    h = await testServer();
    const facilitator = await synced(h.connect('facilitator'));
    const { voteId, activities } = await openLaneVote(facilitator);
    const outside = readBoard(facilitator.doc).lanes.find((l) => l.lane.id === demoLaneId('A'))!.activities[0]!.id;
    await expectRefused(await coordinator(MOSTAR), (d) => giveDot(d, voteId, BUGOJNO, activities[0]!, 1));
    await expectRefused(await coordinator(null), (d) => giveDot(d, voteId, MOSTAR, activities[0]!, 1));
    await expectRefused(await synced(h.connect('viewer')), (d) => giveDot(d, voteId, MOSTAR, activities[0]!, 1));
    await expectRefused(await coordinator(MOSTAR), (d) => ballot(d, voteId, MOSTAR).set(outside, 1));
    await expectRefused(await coordinator(MOSTAR), (d) => revealVote(d, voteId));
    await expectRefused(await coordinator(MOSTAR), (d) => openVote(d, { laneId: null, dots: 20 }, Date.now()));
    expect(readVotes(roots(facilitator.doc).votes).map((v) => [v.state, Object.values(v.ballots).every((b) => Object.keys(b).length === 0)])).toEqual([['open', true]]);
  });
});

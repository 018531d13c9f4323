import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId } from './demo.js';
import { setBoardLocked, setLaneArchived, setLaneLocked, setSpotlight } from './facilitation.js';
import type { ActivityId, LaneId, MunicipalityId } from './ids.js';
import {
  addActivity,
  deleteActivity,
  editActivity,
  editActivityAndPartners,
  moveActivity,
  PlanError,
  renameLane,
  setActivityPartner,
  setBoardTitle,
} from './operations.js';
import { judgeChange, type Judgement, type Permissions, permissionsFor } from './policy.js';
import type { Access } from './roles.js';
import { ballotOf, roots } from './schema.js';
import { demoDoc } from './test/docs.js';
import { mulberry32, type Random, testSeeds } from './test/random.js';
import { seededDemoUpdate } from './test/replicas.js';
import { type ChangeReport, inspectTransaction } from './validate.js';
import { closeVote, currentVote, giveDot, openVote, revealVote } from './votes.js';

const NOW = 1_790_000_000_000;
const mostar = demoMunicipalityId('mostar');
const bugojno = demoMunicipalityId('bugojno');
const trnovo = demoMunicipalityId('trnovoF');

const facilitator: Access = { role: 'facilitator', municipalityId: null };
const general: Access = { role: 'editor', municipalityId: null };
const forMostar: Access = { role: 'editor', municipalityId: mostar };
const forBugojno: Access = { role: 'editor', municipalityId: bugojno };
const viewer: Access = { role: 'viewer', municipalityId: null };
const boundViewer: Access = { role: 'viewer', municipalityId: mostar };
const ACCESSES = [facilitator, general, forMostar, forBugojno, viewer, boundViewer];
const who = (a: Access) => `${a.role}${a.municipalityId ? `@${a.municipalityId}` : ''}`;

/** A replica as the server's shadow keeps it: every root defined before anything arrives. */
function replicaOf(state: Uint8Array): Y.Doc {
  const replica = new Y.Doc();
  roots(replica);
  Y.applyUpdate(replica, state);
  return replica;
}

/**
 * `run` done on a device's copy of `doc`, its updates sent as one and judged as the server does:
 * applied to a shadow, inspected, judged. Null when the operation refused itself (PlanError) or
 * changed nothing: then there is nothing to send.
 */
function trial(doc: Y.Doc, access: Access, run: (device: Y.Doc) => unknown): { judgement: Judgement; update: Uint8Array } | null {
  const state = Y.encodeStateAsUpdate(doc);
  const device = replicaOf(state);
  const updates: Uint8Array[] = [];
  device.on('update', (u: Uint8Array) => updates.push(u));
  try {
    run(device);
  } catch (e) {
    if (e instanceof PlanError) return null;
    throw e;
  }
  if (updates.length === 0) return null;
  const update = Y.mergeUpdates(updates);
  const before = replicaOf(state);
  const after = replicaOf(state);
  let change: ChangeReport | null = null;
  after.on('afterTransaction', (tr: Y.Transaction) => {
    change = inspectTransaction(tr);
  });
  Y.applyUpdate(after, update);
  if (!change) return null;
  return { judgement: judgeChange(before, after, change, access), update };
}

const judge = (doc: Y.Doc, access: Access, run: (device: Y.Doc) => unknown): Judgement => {
  const result = trial(doc, access, run);
  if (!result) throw new Error('nothing to judge');
  return result.judgement;
};

const titled = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!;
const can = (doc: Y.Doc, access: Access | null): Permissions => permissionsFor(access, readBoard(doc));

describe('judgeChange: one ordered judge', () => {
  it('[PM24] schema first, then roles per root, then (not for the facilitator) locks, attribution, votes', () => {
    const doc = demoDoc();
    const id = titled(doc, 'Dijalog sa mladima').id; // lane B
    // An unknown root: invalid, whoever sends it (not "forbidden", although no role writes it).
    expect(judge(doc, facilitator, (d) => d.getMap('extra').set('x', 1))).toMatchObject({ ok: false, rule: 'schema' });
    expect(judge(doc, general, (d) => d.getMap('extra').set('x', 1))).toMatchObject({ ok: false, rule: 'schema' });
    // Malformed and forbidden at once: schema wins.
    expect(judge(doc, viewer, (d) => roots(d).activities.get(id)!.set('status', 'nonsense'))).toMatchObject({ ok: false, rule: 'schema' });
    // Roles.
    expect(judge(doc, viewer, (d) => editActivity(d, id as ActivityId, { status: 'postponed' }))).toEqual({ ok: false, rule: 'role', reason: 'viewer cannot change activities' });
    expect(judge(doc, general, (d) => renameLane(d, demoLaneId('B'), 'Mladi'))).toEqual({ ok: false, rule: 'role', reason: 'editor cannot change lanes' });
    expect(judge(doc, facilitator, (d) => renameLane(d, demoLaneId('B'), 'Mladi'))).toEqual({ ok: true });

    // Locked lane B, and a spoofed "added by": the lock is the reason given.
    setLaneLocked(doc, demoLaneId('B'), true);
    const spoofedInB = (d: Y.Doc) => addActivity(d, { title: 'X' }, { laneId: demoLaneId('B') }, { createdBy: bugojno });
    expect(judge(doc, forMostar, spoofedInB)).toEqual({ ok: false, rule: 'lock', reason: expect.stringMatching(/locked lane/) });
    expect(judge(doc, forMostar, (d) => addActivity(d, { title: 'X' }, { laneId: demoLaneId('A') }, { createdBy: bugojno }))).toMatchObject({
      ok: false,
      rule: 'attribution',
    });
    // None of it holds the facilitator.
    expect(judge(doc, facilitator, spoofedInB)).toEqual({ ok: true });

    // Votes: another municipality's dots; a coordinator with a general link.
    const voteId = openVote(doc, { laneId: demoLaneId('A'), dots: 3 }, NOW);
    const inA = titled(doc, 'Forum građana „Dva Trnova"').id;
    expect(judge(doc, forMostar, (d) => giveDot(d, voteId, bugojno, inA, 1))).toEqual({ ok: false, rule: 'vote', reason: `dots of another municipality (${bugojno})` });
    expect(judge(doc, general, (d) => giveDot(d, voteId, bugojno, inA, 1))).toMatchObject({ ok: false, rule: 'vote' });
    expect(judge(doc, forMostar, (d) => giveDot(d, voteId, mostar, inA, 1))).toEqual({ ok: true });
    expect(judge(doc, facilitator, (d) => giveDot(d, voteId, bugojno, inA, 1))).toEqual({ ok: true });
  });

  it('[PM24] the ballot size bound is a vote rule too', () => {
    const doc = demoDoc();
    const voteId = openVote(doc, { laneId: null, dots: 1 }, NOW);
    const grow = (d: Y.Doc) => {
      const ballot = ballotOf(roots(d).votes.get(voteId)!, mostar, true)!;
      for (let i = 0; i < 5; i++) ballot.set(`a_${i}`, 1);
    };
    expect(judge(doc, forMostar, grow)).toEqual({ ok: false, rule: 'vote', reason: 'a ballot of more than 4 entries' });
  });
});

describe('permissionsFor: the affordances of the same rules', () => {
  it('[PM24] roles: the facilitator manages the board; a coordinator changes activities; a viewer (or no access yet) nothing', () => {
    const doc = demoDoc();
    const id = titled(doc, 'Dijalog sa mladima').id;
    for (const [access, manage, change] of [
      [facilitator, true, true],
      [general, false, true],
      [forMostar, false, true],
      [viewer, false, false],
      [null, false, false],
    ] as const) {
      const p = can(doc, access);
      expect([p.canManageBoard, p.canChangeActivities, p.canAddActivity(null), p.canEditActivity(id), p.canDeleteActivity(id)], String(access?.role)).toEqual([
        manage,
        change,
        change,
        change,
        change,
      ]);
    }
    expect(can(doc, general).canEditActivity('a_missing')).toBe(false);
  });

  it('[PM24] locks hold everyone but the facilitator: in, out of and inside a locked lane; the whole board', () => {
    const doc = demoDoc();
    const inB = titled(doc, 'Dijalog sa mladima').id;
    const inA = titled(doc, 'Forum građana „Dva Trnova"').id;
    setLaneLocked(doc, demoLaneId('B'), true);
    const p = can(doc, general);
    expect([p.lockedIn(demoLaneId('B')), p.lockedIn(demoLaneId('A')), p.lockedIn(null)]).toEqual([true, false, false]);
    expect([p.canAddActivity(demoLaneId('B')), p.canEditActivity(inB), p.canMoveActivity(inB, demoLaneId('A')), p.canDeleteActivity(inB)]).toEqual([false, false, false, false]);
    expect([p.canMoveActivity(inA, demoLaneId('B')), p.canMoveActivity(inA, null), p.canEditActivity(inA)]).toEqual([false, true, true]);
    expect(can(doc, facilitator).lockedIn(demoLaneId('B'))).toBe(false);
    expect(can(doc, facilitator).canEditActivity(inB)).toBe(true);
    // An archived lane keeps its lock (lockViolations reads every lane).
    setLaneArchived(doc, demoLaneId('B'), true);
    expect(can(doc, general).canEditActivity(inB)).toBe(false);
    setBoardLocked(doc, true);
    expect([can(doc, general).lockedIn(null), can(doc, general).canAddActivity(null), can(doc, general).canEditActivity(inA)]).toEqual([true, false, false]);
    expect(can(doc, viewer).lockedIn(null)).toBe(true);
  });

  it('[PM24] attribution: the municipality that added an activity manages its partners and lead; others join, leave and take a free lead by themselves', () => {
    const doc = demoDoc();
    const mostars = addActivity(doc, { title: 'Mostarska', partners: [trnovo] }, { laneId: demoLaneId('A') }, { createdBy: mostar });
    const unsigned = titled(doc, 'Forum građana „Dva Trnova"').id; // the demo's: nobody signed it, Trnovo leads
    const free = addActivity(doc, { title: 'Bez nosioca' }, { laneId: demoLaneId('A') }, { createdBy: mostar });
    const m = can(doc, forMostar);
    const b = can(doc, forBugojno);
    const g = can(doc, general);
    expect([m.canManagePartners(mostars), b.canManagePartners(mostars), g.canManagePartners(mostars), can(doc, facilitator).canManagePartners(mostars)]).toEqual([true, false, false, true]);
    expect([b.canSetPartner(mostars, bugojno), b.canSetPartner(mostars, trnovo), b.canJoinAsPartner(mostars), g.canJoinAsPartner(mostars)]).toEqual([true, false, true, false]);
    expect([g.canManagePartners(unsigned), b.canManagePartners(unsigned), b.canSetPartner(unsigned, bugojno), g.canSetPartner(unsigned, bugojno)]).toEqual([true, false, true, true]);
    // A new activity is the adder's own.
    expect([b.canManagePartners(null), b.canSetPartner(null, trnovo), b.canChooseLead(null, trnovo)]).toEqual([true, true, true]);
    // The lead: another's only by the manager; a free one (or one's own) by oneself.
    expect([b.canChooseLead(unsigned), b.canChooseLead(unsigned, bugojno), b.canChooseLead(unsigned, null), b.canChooseLead(unsigned, trnovo)]).toEqual([false, false, false, true]);
    expect([b.canChooseLead(free), b.canChooseLead(free, bugojno), b.canChooseLead(free, trnovo), g.canChooseLead(free)]).toEqual([true, true, false, false]);
  });

  it('[PM24] votes: a bound coordinator gives its own municipality\'s dots while the vote is open', () => {
    const doc = demoDoc();
    const voteId = openVote(doc, { laneId: null, dots: 3 }, NOW);
    expect(ACCESSES.map((a) => [who(a), can(doc, a).votesFor, can(doc, a).canVote(voteId)])).toEqual([
      ['facilitator', null, false],
      ['editor', null, false],
      [`editor@${mostar}`, mostar, true],
      [`editor@${bugojno}`, bugojno, true],
      ['viewer', null, false],
      [`viewer@${mostar}`, null, false],
    ]);
    revealVote(doc, voteId);
    expect(can(doc, forMostar).canVote(voteId)).toBe(false);
    expect(can(doc, forMostar).canVote('v_missing')).toBe(false);
  });
});

/**
 * One operation a control could offer, with the permission that decides whether it is offered.
 * `run` is what the control would do, on the device's copy.
 */
interface Op {
  readonly name: string;
  readonly allowed: (p: Permissions) => boolean;
  readonly run: (d: Y.Doc) => unknown;
}

const MUNICIPALITIES = (['trnovoF', 'trnovoRS', 'mostar', 'bugojno', 'noviTravnik'] as const).map(demoMunicipalityId);

function randomOp(doc: Y.Doc, access: Access, random: Random, serial: number): Op {
  const view = readBoard(doc);
  const own = access.municipalityId as MunicipalityId | null;
  const activities = [...view.activityById.values()];
  const laneIds: (LaneId | null)[] = [...view.lanes.map((l) => l.lane.id), ...view.archivedLanes.map((l) => l.lane.id), null];
  const a = random.pick(activities);
  const m = random.pick(MUNICIPALITIES);
  const lead = random.chance(0.3) ? undefined : random.pick(MUNICIPALITIES);
  const vote = currentVote(view.votes) ?? (view.votes.length > 0 ? random.pick(view.votes) : null);
  const kinds = ['add', 'edit', 'move', 'delete', 'partner', 'join', 'lead', 'dialog', 'dot', 'manage'] as const;
  const kind = random.pick(kinds);
  switch (kind) {
    case 'add': {
      const laneId = random.pick(laneIds);
      const partners = MUNICIPALITIES.filter(() => random.chance(0.3));
      return {
        name: `add to ${laneId} (lead ${lead}, partners ${partners.join()})`,
        allowed: (p) => p.canAddActivity(laneId) && p.canChooseLead(null, lead ?? null) && partners.every((x) => p.canSetPartner(null, x)),
        run: (d) =>
          addActivity(d, { title: `Nova ${serial}`, leadId: lead, partners }, { laneId, index: random.int(5) }, { id: `a_t${serial}` as ActivityId, ...(own ? { createdBy: own } : {}) }),
      };
    }
    case 'edit':
      return { name: `edit ${a.id}`, allowed: (p) => p.canEditActivity(a.id), run: (d) => editActivity(d, a.id, { status: random.pick(['done', 'postponed', 'in_progress'] as const), title: `T${serial}` }) };
    case 'move': {
      const to = random.pick(laneIds);
      return { name: `move ${a.id} from ${a.laneId} to ${to}`, allowed: (p) => p.canMoveActivity(a.id, to), run: (d) => moveActivity(d, a.id, to, random.int(6)) };
    }
    case 'delete':
      return { name: `delete ${a.id}`, allowed: (p) => p.canDeleteActivity(a.id), run: (d) => deleteActivity(d, a.id) };
    case 'partner': {
      const joined = !a.partners.includes(m); // a control changes a membership, never re-states it
      return { name: `partner ${m} ${joined ? 'joins' : 'leaves'} ${a.id} (by ${a.createdBy})`, allowed: (p) => p.canSetPartner(a.id, m), run: (d) => setActivityPartner(d, a.id, m, joined) };
    }
    case 'join': {
      if (!own) return randomOp(doc, access, random, serial);
      const joined = !a.partners.includes(own);
      return { name: `own ${joined ? 'joins' : 'leaves'} ${a.id}`, allowed: (p) => p.canJoinAsPartner(a.id), run: (d) => setActivityPartner(d, a.id, own, joined) };
    }
    case 'lead':
      return { name: `lead of ${a.id} (${a.leadId}, by ${a.createdBy}) -> ${lead}`, allowed: (p) => p.canChooseLead(a.id, lead ?? null), run: (d) => editActivity(d, a.id, { leadId: lead }) };
    case 'dialog': {
      // What the activity dialog sends: changed fields and partner memberships in one transaction.
      const changes = new Map<MunicipalityId, boolean>(MUNICIPALITIES.filter(() => random.chance(0.3)).map((x) => [x, !a.partners.includes(x)]));
      const withLead = random.chance(0.5);
      return {
        name: `dialog on ${a.id} (by ${a.createdBy}): partners ${[...changes].join(' ')}${withLead ? `, lead ${a.leadId} -> ${lead}` : ''}`,
        allowed: (p) => p.canEditActivity(a.id) && [...changes.keys()].every((x) => p.canSetPartner(a.id, x)) && (!withLead || p.canChooseLead(a.id, lead ?? null)),
        run: (d) => editActivityAndPartners(d, a.id, { notes: `N${serial}`, ...(withLead ? { leadId: lead } : {}) }, changes),
      };
    }
    case 'dot': {
      if (!own || !vote) return randomOp(doc, access, random, serial);
      const delta = random.chance(0.7) ? 1 : -1;
      return { name: `dot ${delta} by ${own} on ${a.id} in ${vote.id} (${vote.state})`, allowed: (p) => p.canVote(vote.id), run: (d) => giveDot(d, vote.id, own, a.id, delta) };
    }
    case 'manage': {
      const laneId = random.pick(view.lanes).lane.id;
      const runs = [
        (d: Y.Doc) => setLaneLocked(d, laneId, random.chance(0.5)),
        (d: Y.Doc) => setBoardTitle(d, `Tabla ${serial}`),
        (d: Y.Doc) => setSpotlight(d, { kind: 'lane', id: laneId }),
        (d: Y.Doc) => openVote(d, { laneId, dots: 2 }, NOW + serial, { id: `v_t${serial}` }),
      ];
      return { name: 'manage the board', allowed: (p) => p.canManageBoard, run: random.pick(runs) };
    }
  }
}

/** What the facilitator and other people do meanwhile, so every lock, vote and signature comes up. */
function meanwhile(doc: Y.Doc, random: Random, serial: number): void {
  const view = readBoard(doc);
  const laneId = random.pick(view.lanes).lane.id;
  const vote = currentVote(view.votes);
  const step = random.int(8);
  if (step === 0) setLaneLocked(doc, laneId, !view.lanes.find((l) => l.lane.id === laneId)!.lane.locked);
  else if (step === 1) setBoardLocked(doc, random.chance(0.3) && !view.meta.locked);
  else if (step === 2 && !vote) openVote(doc, { laneId: random.chance(0.5) ? laneId : null, dots: 1 + random.int(3) }, NOW + serial, { id: `v_m${serial}` });
  else if (step === 3 && vote) (random.chance(0.5) ? revealVote : closeVote)(doc, vote.id);
  else if (step === 4) {
    const by = random.pick([...MUNICIPALITIES, null]);
    addActivity(doc, { title: `Tuđa ${serial}`, leadId: by ?? undefined }, { laneId: random.chance(0.8) ? laneId : null }, { id: `a_m${serial}` as ActivityId, ...(by ? { createdBy: by } : {}) });
  } else if (step === 5 && random.chance(0.3) && view.lanes.length > 2) setLaneArchived(doc, laneId, true);
}

describe('[PM24] the board and the server cannot drift', () => {
  it('whatever permissionsFor allows, judgeChange accepts; whatever it does not, judgeChange refuses (seeded random operations, every access)', () => {
    const seen = new Map<string, number>();
    for (const seed of testSeeds(8)) {
      const random = mulberry32(seed);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, seededDemoUpdate(random));
      let serial = 0;
      for (let step = 0; step < 40; step++) {
        if (random.chance(0.4)) meanwhile(doc, random, serial++);
        for (const access of random.chance(0.5) ? ACCESSES : [random.pick(ACCESSES)]) {
          const op = randomOp(doc, access, random, serial++);
          const allowed = op.allowed(permissionsFor(access, readBoard(doc)));
          const result = trial(doc, access, op.run);
          if (!result) continue; // the operation refused itself, or changed nothing: nothing is sent
          const { judgement } = result;
          const verdict = judgement.ok ? 'ok' : judgement.rule;
          seen.set(verdict, (seen.get(verdict) ?? 0) + 1);
          expect(judgement.ok, `seed ${seed}, step ${step}: ${who(access)} ${op.name}: offered ${allowed}, judged ${JSON.stringify(judgement)}`).toBe(allowed);
          if (judgement.ok && random.chance(0.5)) Y.applyUpdate(doc, result.update);
        }
      }
    }
    // The run met every kind of verdict the controls can meet.
    if (testSeeds(8).length > 1) for (const verdict of ['ok', 'role', 'lock', 'attribution']) expect(seen.get(verdict) ?? 0, verdict).toBeGreaterThan(10);
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { attributionViolations } from './attribution.js';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId } from './demo.js';
import type { ActivityId } from './ids.js';
import { addActivity, deleteActivity, editActivity, moveActivity, setActivityPartner } from './operations.js';
import { roots } from './schema.js';
import { changedCopy, demoDoc } from './test/docs.js';
import { documentProblems } from './validate.js';

const mostar = demoMunicipalityId('mostar');
const bugojno = demoMunicipalityId('bugojno');
const trnovo = demoMunicipalityId('trnovoF');

const demo = demoDoc;
/** `doc` with `run` applied to a copy, and the ids of the activities it touched. */
function change(doc: Y.Doc, run: (d: Y.Doc) => ActivityId | void, ids: ActivityId[] = []): [Y.Doc, ActivityId[]] {
  const { after, result: created } = changedCopy(doc, run);
  return [after, created ? [created, ...ids] : ids];
}
const check = (doc: Y.Doc, [after, ids]: [Y.Doc, ActivityId[]], sender: string | null) => attributionViolations(doc, after, ids, sender);

describe('attribution to municipalities', () => {
  it('[PM23] "added by" is the sender\'s own municipality, written with the activity and never changed', () => {
    const doc = demo();
    const add = (createdBy?: never) => change(doc, (d) => addActivity(d, { title: 'Nova' }, { laneId: demoLaneId('A') }, createdBy ? { createdBy } : {}));
    expect(check(doc, add(mostar as never), mostar)).toEqual([]);
    expect(check(doc, add(bugojno as never), mostar)[0]).toMatch(/added by/); // spoofed
    expect(check(doc, add(), mostar)[0]).toMatch(/added by/); // a bound link always signs
    expect(check(doc, add(), null)).toEqual([]); // the general link signs nothing
    expect(check(doc, add(mostar as never), null)[0]).toMatch(/added by/);

    const id = addActivity(doc, { title: 'Mostarska' }, { laneId: demoLaneId('A') }, { createdBy: mostar });
    expect(readBoard(doc).activityById.get(id)!.createdBy).toBe(mostar);
    expect(documentProblems(doc)).toEqual([]);
    const rewrite = change(doc, (d) => void roots(d).activities.get(id)!.set('createdBy', bugojno), [id]);
    expect(check(doc, rewrite, bugojno)[0]).toMatch(/added by/);
    // Editing, moving and deleting another municipality's activity stay open to every coordinator.
    expect(check(doc, change(doc, (d) => editActivity(d, id, { status: 'done' }), [id]), bugojno)).toEqual([]);
    expect(check(doc, change(doc, (d) => moveActivity(d, id, demoLaneId('B'), 0), [id]), bugojno)).toEqual([]);
    expect(check(doc, change(doc, (d) => deleteActivity(d, id), [id]), bugojno)).toEqual([]);
  });

  it('[PM23] a municipality joins or leaves by itself; the one that added an activity manages its partners', () => {
    const doc = demo();
    const id = addActivity(doc, { title: 'Mostarska', partners: [trnovo] }, { laneId: demoLaneId('A') }, { createdBy: mostar });
    expect(check(doc, change(doc, (d) => setActivityPartner(d, id, bugojno, true), [id]), bugojno)).toEqual([]);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, id, trnovo, false), [id]), trnovo)).toEqual([]);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, id, trnovo, false), [id]), bugojno)[0]).toMatch(/partner m_trnovoF/);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, id, bugojno, true), [id]), trnovo)[0]).toMatch(/partner m_bugojno/);
    expect(check(doc, change(doc, (d) => editActivity(d, id, { partners: [bugojno, trnovo] }), [id]), mostar)).toEqual([]);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, id, bugojno, true), [id]), null)[0]).toMatch(/partner/);
    // An activity nobody signed (the demo's): the general link manages it, a municipality only itself.
    const demoActivity = readBoard(doc).lanes[0]!.activities[0]!.id;
    expect(check(doc, change(doc, (d) => setActivityPartner(d, demoActivity, bugojno, true), [demoActivity]), null)).toEqual([]);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, demoActivity, bugojno, true), [demoActivity]), bugojno)).toEqual([]);
    expect(check(doc, change(doc, (d) => setActivityPartner(d, demoActivity, bugojno, true), [demoActivity]), mostar)[0]).toMatch(/partner/);
  });

  it('[PM23] the lead: a municipality takes or drops it only when free or its own; the proposer names any', () => {
    const doc = demo();
    const id = addActivity(doc, { title: 'Mostarska', leadId: mostar }, { laneId: demoLaneId('A') }, { createdBy: mostar });
    const lead = (leadId: string | undefined) => change(doc, (d) => editActivity(d, id, { leadId: leadId as never }), [id]);
    expect(check(doc, lead(bugojno), bugojno)[0]).toMatch(/lead/); // taking Mostar's lead
    expect(check(doc, lead(undefined), bugojno)[0]).toMatch(/lead/); // dropping Mostar's lead
    expect(check(doc, lead(bugojno), mostar)).toEqual([]); // the proposer hands it over
    editActivity(doc, id, { leadId: undefined });
    expect(check(doc, lead(bugojno), bugojno)).toEqual([]); // a free lead, taken by itself
    expect(check(doc, lead(trnovo), bugojno)[0]).toMatch(/lead/); // but not given to a third
    expect(check(doc, lead(bugojno), null)[0]).toMatch(/lead/); // the general link speaks for none
  });
});

/** Boards for the export tests: the demo plan plus a proposer, a budget and a revealed vote. */
import * as Y from 'yjs';
import { addActivity, type BoardView, demoLaneId, demoMunicipalityId, giveDot, openVote, readBoard, revealVote, seedDemoBoard } from '@tabla/plan-model';

export function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return doc;
}

/**
 * The demo plan plus, last in lane B, an activity proposed by Grad Mostar with a budget,
 * diacritics and formula-looking text; and a revealed vote over lane B.
 */
export function richBoard(): BoardView {
  const doc = demoDoc();
  const added = addActivity(
    doc,
    { title: 'Budžetirana aktivnost: čišćenje obale, đački žiri', budget: 1234.5, status: 'postponed', timeframe: '2024-Q3', notes: '=1+1' },
    { laneId: demoLaneId('B') },
    { createdBy: demoMunicipalityId('mostar') },
  );
  const b = readBoard(doc).lanes[1]!.activities;
  const vote = openVote(doc, { laneId: demoLaneId('B'), dots: 3 }, 1_000);
  const municipalities = readBoard(doc).municipalities;
  giveDot(doc, vote, municipalities[0]!.id, added, 1);
  giveDot(doc, vote, municipalities[0]!.id, added, 1);
  giveDot(doc, vote, municipalities[1]!.id, b[0]!.id, 1);
  giveDot(doc, vote, municipalities[1]!.id, added, 1);
  revealVote(doc, vote);
  return readBoard(doc);
}

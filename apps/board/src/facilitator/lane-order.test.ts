import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createLane, type LaneId, readBoard, reorderLane, setLaneArchived } from '@tabla/plan-model';
import { laneMoveIndex } from './lane-order.js';

function board(titles: string[]) {
  const doc = new Y.Doc();
  const ids = titles.map((title) => createLane(doc, { title }));
  return { doc, ids };
}
const all = (doc: Y.Doc) => {
  const view = readBoard(doc);
  return [...view.lanes, ...view.archivedLanes].map((v) => v.lane);
};
const shown = (doc: Y.Doc) => readBoard(doc).lanes.map((v) => v.lane.title);
const move = (doc: Y.Doc, id: LaneId, direction: -1 | 1) => {
  const index = laneMoveIndex(all(doc), id, direction);
  if (index !== null) reorderLane(doc, id, index);
  return index;
};

describe('moving a lane up and down (reorderLane)', () => {
  it('swaps with the neighbour shown on the board', () => {
    const { doc, ids } = board(['A', 'B', 'C']);
    move(doc, ids[2]!, -1);
    expect(shown(doc)).toEqual(['A', 'C', 'B']);
    move(doc, ids[0]!, 1);
    expect(shown(doc)).toEqual(['C', 'A', 'B']);
  });

  it('the first cannot go up, the last cannot go down', () => {
    const { doc, ids } = board(['A', 'B']);
    expect(move(doc, ids[0]!, -1)).toBeNull();
    expect(move(doc, ids[1]!, 1)).toBeNull();
    expect(shown(doc)).toEqual(['A', 'B']);
  });

  it('steps over archived lanes in one move, and an archived lane comes back where it was', () => {
    const { doc, ids } = board(['A', 'X', 'B', 'C']);
    setLaneArchived(doc, ids[1]!, true);
    move(doc, ids[2]!, -1); // B above A, in one step despite X between them
    expect(shown(doc)).toEqual(['B', 'A', 'C']);
    move(doc, ids[0]!, 1); // A below C
    expect(shown(doc)).toEqual(['B', 'C', 'A']);
    setLaneArchived(doc, ids[1]!, false);
    expect(shown(doc)).toContain('X');
    expect(shown(doc)).toHaveLength(4);
  });

  it('an archived lane is not moved', () => {
    const { doc, ids } = board(['A', 'B']);
    setLaneArchived(doc, ids[0]!, true);
    expect(laneMoveIndex(all(doc), ids[0]!, 1)).toBeNull();
  });
});

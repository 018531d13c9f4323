import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, seedDemoBoard } from './demo.js';
import { setLaneArchived, setLaneLocked } from './facilitation.js';
import { copyBoardStructure } from './template.js';
import { documentProblems } from './validate.js';

describe('copyBoardStructure', () => {
  it('[PM19] copies title, municipalities and lanes in order (not archived ones), no activities, no locks', () => {
    const from = new Y.Doc();
    seedDemoBoard(from);
    setLaneArchived(from, demoLaneId('D'), true);
    setLaneLocked(from, demoLaneId('A'), true);
    const to = new Y.Doc();
    copyBoardStructure(from, to, 'Igman 2023');
    const source = readBoard(from);
    const copy = readBoard(to);
    expect(copy.meta.title).toBe('Igman 2023');
    expect(copy.municipalities.map((m) => [m.name, m.color, m.kind])).toEqual(source.municipalities.map((m) => [m.name, m.color, m.kind]));
    expect(copy.lanes.map((l) => l.lane.title)).toEqual(source.lanes.map((l) => l.lane.title));
    expect(copy.lanes.every((l) => !l.lane.locked && l.activities.length === 0)).toBe(true);
    expect(copy.lanes).toHaveLength(3);
    expect(copy.activityById.size).toBe(0);
    expect(documentProblems(to)).toEqual([]);
  });
});

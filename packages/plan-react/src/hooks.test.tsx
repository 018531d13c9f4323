import { act, render, screen } from '@testing-library/react';
import { memo } from 'react';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type LaneView, addActivity, createLane, editActivity, seedDemoBoard, demoLaneId, moveActivity } from '@tabla/plan-model';
import { boardStore, useBoard } from './index.js';

describe('useBoard', () => {
  it('re-renders with the new view after a transaction, and the snapshot is stable between them', () => {
    const doc = new Y.Doc();
    const lane = createLane(doc, { title: 'Oblast A' });
    function Titles() {
      const board = useBoard(doc);
      return <p>{board.lanes.flatMap((l) => l.activities.map((a) => a.title)).join(',')}</p>;
    }
    render(<Titles />);
    expect(screen.getByText('', { selector: 'p' }).textContent).toBe('');
    act(() => {
      addActivity(doc, { title: 'Dijalog sa mladima' }, { laneId: lane });
    });
    expect(screen.getByText('Dijalog sa mladima')).toBeTruthy();
    const store = boardStore(doc);
    expect(store.getSnapshot()).toBe(store.getSnapshot());
  });

  it('re-renders only the lanes that changed', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const renders = new Map<string, number>();
    const Lane = memo(function Lane({ view }: { view: LaneView }) {
      renders.set(view.lane.id, (renders.get(view.lane.id) ?? 0) + 1);
      return <section>{view.lane.title}</section>;
    });
    function Board() {
      const board = useBoard(doc);
      return <>{board.lanes.map((l) => <Lane key={l.lane.id} view={l} />)}</>;
    }
    render(<Board />);
    const before = new Map(renders);
    const cardInA = boardStore(doc).getSnapshot().lanes[0]!.activities[0]!;
    act(() => editActivity(doc, cardInA.id, { title: 'Novi naziv' }));
    expect(renders.get(demoLaneId('A'))).toBe(before.get(demoLaneId('A'))! + 1);
    expect(renders.get(demoLaneId('B'))).toBe(before.get(demoLaneId('B')));
    act(() => moveActivity(doc, cardInA.id, demoLaneId('C'), 0));
    expect(renders.get(demoLaneId('C'))).toBe(before.get(demoLaneId('C'))! + 1);
    expect(renders.get(demoLaneId('B'))).toBe(before.get(demoLaneId('B')));
  });
});

import { act, render, screen } from '@testing-library/react';
import { memo } from 'react';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type LaneView, addActivity, createLane, editActivity, seedDemoBoard, demoLaneId, moveActivity, roots } from '@tabla/plan-model';
import { boardStore, useBoard } from './index.js';

/** The store tells React once per animation frame: let one pass. */
const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
async function change(run: () => void) {
  await act(async () => {
    run();
    await frame();
  });
}

describe('useBoard', () => {
  it('re-renders with the new view after a transaction, and the snapshot is stable between them', async () => {
    const doc = new Y.Doc();
    const lane = createLane(doc, { title: 'Oblast A' });
    function Titles() {
      const board = useBoard(doc);
      return <p>{board.lanes.flatMap((l) => l.activities.map((a) => a.title)).join(',')}</p>;
    }
    render(<Titles />);
    expect(screen.getByText('', { selector: 'p' }).textContent).toBe('');
    await change(() => addActivity(doc, { title: 'Dijalog sa mladima' }, { laneId: lane }));
    expect(screen.getByText('Dijalog sa mladima')).toBeTruthy();
    const store = boardStore(doc);
    expect(store.getSnapshot()).toBe(store.getSnapshot());
  });

  it('re-renders only the lanes that changed', async () => {
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
    await change(() => editActivity(doc, cardInA.id, { title: 'Novi naziv' }));
    expect(renders.get(demoLaneId('A'))).toBe(before.get(demoLaneId('A'))! + 1);
    expect(renders.get(demoLaneId('B'))).toBe(before.get(demoLaneId('B')));
    await change(() => moveActivity(doc, cardInA.id, demoLaneId('C'), 0));
    expect(renders.get(demoLaneId('C'))).toBe(before.get(demoLaneId('C'))! + 1);
    expect(renders.get(demoLaneId('B'))).toBe(before.get(demoLaneId('B')));
  });

  it('reads again only the activities a transaction changed, also one arriving from another replica', async () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const store = boardStore(doc);
    const unsubscribe = store.subscribe(() => {});
    const before = store.getSnapshot();
    const [moved, untouched] = before.lanes[0]!.activities;
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    const vector = Y.encodeStateVector(remote);
    moveActivity(remote, moved!.id, demoLaneId('C'), 0);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, vector));
    const after = store.getSnapshot();
    expect(after.activityById.get(moved!.id)!.laneId).toBe(demoLaneId('C'));
    expect(after.activityById.get(untouched!.id)).toBe(untouched);
    expect(after.municipalityById).toBe(before.municipalityById);
    unsubscribe();
  });

  it('reads an activity whose map was put in anew under the same id, though no change of that map is reported', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const store = boardStore(doc);
    const unsubscribe = store.subscribe(() => {});
    const [first] = store.getSnapshot().lanes[0]!.activities;
    const { activities } = roots(doc);
    const old = activities.get(first!.id)!;
    const fresh = new Y.Map<unknown>();
    for (const [key, value] of old.entries()) fresh.set(key, value instanceof Y.AbstractType ? value.clone() : value);
    fresh.set('title', 'Vraćena aktivnost');
    doc.transact(() => activities.set(first!.id, fresh));
    expect(store.getSnapshot().activityById.get(first!.id)!.title).toBe('Vraćena aktivnost');
    unsubscribe();
  });

  it('tells its subscribers once per animation frame, however many transactions came in it', async () => {
    const doc = new Y.Doc();
    const lane = createLane(doc, { title: 'Oblast A' });
    let told = 0;
    const unsubscribe = boardStore(doc).subscribe(() => told++);
    for (let i = 0; i < 20; i++) addActivity(doc, { title: `A${i}` }, { laneId: lane });
    expect(told).toBe(0);
    await frame();
    expect(told).toBe(1);
    expect(boardStore(doc).getSnapshot().lanes[0]!.activities).toHaveLength(20);
    unsubscribe();
  });
});

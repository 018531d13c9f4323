/**
 * The trace points (trace.ts): every relayed update passes each of them once, in the order of its
 * way through the server, tied together by its bytes object; a refused one stops after "received".
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, onTestFinished } from 'vitest';
import { demoLaneId, moveActivity, roots, type ActivityId } from '@tabla/plan-model';
import { closeOf, connectRawReader, updateFrame, waitFor, within } from '@tabla/test-clients';
import { captureUpdate, testServer } from './harness.js';
import { type TracedBatch, traceChannels, type TracedCommit, type TracedUpdate } from '../trace.js';

type Point = keyof typeof traceChannels;

/** Every point heard while the test runs, in order: the point, and the updates it names (or the commit). */
function listen(): { point: Point; updates: readonly Uint8Array[]; commit?: TracedCommit }[] {
  const heard: { point: Point; updates: readonly Uint8Array[]; commit?: TracedCommit }[] = [];
  for (const point of Object.keys(traceChannels) as Point[]) {
    const onMessage = (message: unknown) => {
      if (point === 'committed') heard.push({ point, updates: [], commit: message as TracedCommit });
      else if ('update' in (message as object)) heard.push({ point, updates: [(message as TracedUpdate).update] });
      else heard.push({ point, updates: (message as TracedBatch).updates });
    };
    subscribe(traceChannels[point].name as string, onMessage);
    onTestFinished(() => void unsubscribe(traceChannels[point].name as string, onMessage));
  }
  return heard;
}

describe('trace points', () => {
  it('a relayed update is received, accepted, written (its commit timed), then relayed, each point once', async () => {
    const h = await testServer();
    const writer = h.connect('editor');
    await within(writer.synced, 3000, 'synced');
    const reader = await connectRawReader(h.url, h.boardId, h.tokens.viewer);
    onTestFinished(() => reader.terminate());
    const heard = listen();

    const id = [...roots(writer.doc).activities.keys()][0] as ActivityId;
    moveActivity(writer.doc, id, demoLaneId('D'), 0);
    await waitFor(() => heard.some((p) => p.point === 'relayed'), 5000, 'the move relayed');

    const update = heard.find((p) => p.point === 'received')!.updates[0]!;
    const path = heard.filter((p) => p.point === 'committed' || p.updates.includes(update)).map((p) => p.point);
    expect(path).toEqual(['received', 'accepted', 'writing', 'committed', 'written', 'relayed']);
    const commit = heard.find((p) => p.point === 'committed')!.commit!;
    expect(commit.count).toBe(1);
    expect(commit.ms).toBeGreaterThan(0);
  });

  it('a refused update is heard as received only', async () => {
    const h = await testServer();
    const viewer = await connectRawReader(h.url, h.boardId, h.tokens.viewer);
    onTestFinished(() => viewer.terminate());
    const heard = listen();
    const update = captureUpdate(viewer.doc, (doc) => moveActivity(doc, [...roots(doc).activities.keys()][0] as ActivityId, demoLaneId('D'), 0));
    viewer.send(updateFrame(update));
    expect((await closeOf(viewer)).code).toBe(4403);
    expect(heard.map((p) => p.point)).toEqual(['received']);
  });
});

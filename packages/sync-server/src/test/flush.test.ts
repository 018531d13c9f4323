/**
 * The flush extension (`messageFlush = 100` in protocol.ts): a client asks "is everything I
 * sent so far stored?" with `[100, n]`; the server answers `[100, n]` to that connection alone,
 * and only once every update the connection sent before the flush has committed.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it, onTestFinished } from 'vitest';
import type * as Y from 'yjs';
import { demoLaneId, moveActivity, roots, type ActivityId, type LaneId } from '@tabla/plan-model';
import { CloseCode, decodeMessage, encodeFlushAck, messageFlush } from '@tabla/sync-protocol';
import { documentFrames, frame, sleep, updateFrame, waitFor, type RawClient, closeOf } from '@tabla/test-clients';
import { captureUpdate, nextWriteFails, storedDoc, storedView, type TestServer, testServer } from './harness.js';


const LANE_D: LaneId = demoLaneId('D');

const flushFrame = (n: number): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, messageFlush);
    encoding.writeVarUint(e, n);
  });

/** The n of every flush answer a raw client received, in order. */
const acks = (c: RawClient): number[] =>
  c.frames.filter((f) => f[0] === messageFlush).map((f) => {
    const d = decoding.createDecoder(f);
    decoding.readVarUint(d);
    const n = decoding.readVarUint(d);
    expect(decoding.hasContent(d)).toBe(false);
    return n;
  });


async function joined(c: RawClient): Promise<RawClient> {
  await waitFor(() => c.frames.length > 0 || c.closeInfo !== null, 5000, 'sync step 1');
  return c;
}

/** A replica of the stored board whose edits are written under `clientID`. */
async function replica(h: TestServer, clientID: number): Promise<Y.Doc> {
  const doc = await storedDoc(h.storage, h.boardId);
  doc.clientID = clientID;
  onTestFinished(() => doc.destroy());
  return doc;
}

/** Moves the `i`-th activity not yet in lane D there, and returns the update. */
function moveUpdate(doc: Y.Doc, i = 0): { id: ActivityId; update: Uint8Array } {
  const ids = [...roots(doc).activities.keys()].sort() as ActivityId[];
  const id = ids.filter((x) => roots(doc).activities.get(x)?.get('laneId') !== LANE_D)[i]!;
  return { id, update: captureUpdate(doc, (d) => moveActivity(d, id, LANE_D, 0)) };
}

/**
 * A delayed storage: `hold()` makes every write from then on wait until `release()`. `events`
 * records each commit (after the real write resolved) beside whatever the test records.
 */
function delayWrites(h: TestServer) {
  const storage = h.storage;
  const write = storage.appendUpdates.bind(storage);
  const events: string[] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  storage.appendUpdates = async (updates) => {
    while (gate) await gate;
    const seqs = await write(updates);
    events.push(`commit ${updates.length}`);
    return seqs;
  };
  return {
    events,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open();
    },
  };
}

/** Records each flush answer in `events` the moment the client receives it. */
function recordAcks(c: RawClient, events: string[]): void {
  c.ws.on('message', (data: Buffer) => {
    if (data[0] === messageFlush) events.push(`ack ${data[1]}`);
  });
}

describe('the flush frame', () => {
  it('[F4] decodes as its own kind with its n, and the answer is the same two fields', () => {
    expect(decodeMessage(flushFrame(0))).toEqual({ kind: 'flush', n: 0 });
    expect(decodeMessage(flushFrame(300))).toEqual({ kind: 'flush', n: 300 });
    expect(encodeFlushAck(300)).toEqual(flushFrame(300));
    expect(() => decodeMessage(new Uint8Array([messageFlush]))).toThrow();
    expect(() => decodeMessage(new Uint8Array([messageFlush, 1, 1]))).toThrow();
    expect(() => decodeMessage(new Uint8Array([messageFlush + 1, 1]))).toThrow();
  });
});

describe('flush', () => {
  it('[F1] is answered with its n only after the update sent before it has been stored', async () => {
    const h = await testServer();
    const storage = delayWrites(h);
    const c = await joined(await h.raw('editor'));
    recordAcks(c, storage.events);
    const doc = await replica(h, 501);
    const { id, update } = moveUpdate(doc);

    storage.hold();
    c.send(updateFrame(update));
    c.send(flushFrame(7));
    await sleep(150); // many event-loop ticks: the write is the only thing in the way
    expect(acks(c)).toEqual([]);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);

    storage.release();
    await waitFor(() => acks(c).length > 0, 5000, 'the flush answer');
    expect(acks(c)).toEqual([7]);
    expect(storage.events).toEqual(['commit 1', 'ack 7']);
    expect((await storedView(h.storage, h.boardId)).activityById.get(id)?.laneId).toBe(LANE_D);
    expect(c.closeInfo).toBeNull();
  });

  it('[F1] waits for every update before it, across write batches, and answers flushes in order', async () => {
    const h = await testServer();
    const storage = delayWrites(h);
    const c = await joined(await h.raw('editor'));
    recordAcks(c, storage.events);
    const doc = await replica(h, 502);

    c.send(updateFrame(moveUpdate(doc, 0).update));
    c.send(flushFrame(1));
    await waitFor(() => acks(c).length === 1, 5000, 'the first answer');
    storage.hold();
    c.send(updateFrame(moveUpdate(doc, 0).update));
    await sleep(20); // a later tick: a batch of its own
    c.send(updateFrame(moveUpdate(doc, 0).update));
    c.send(flushFrame(2));
    c.send(flushFrame(3));
    await sleep(100);
    expect(acks(c)).toEqual([1]);
    storage.release();
    await waitFor(() => acks(c).length === 3, 5000, 'the later answers');
    expect(acks(c)).toEqual([1, 2, 3]);
    expect(storage.events).toEqual(['commit 1', 'ack 1', 'commit 1', 'commit 1', 'ack 2', 'ack 3']);
    expect(await h.storage.countUpdates(h.boardId)).toBe(3);
  });

  it('[F2] with nothing sent before it, is answered at once, even while another connection waits for its write', async () => {
    const h = await testServer();
    const storage = delayWrites(h);
    const writer = await joined(await h.raw('editor'));
    const idle = await joined(await h.raw('viewer')); // viewers may flush too: they have nothing to wait for
    const doc = await replica(h, 503);

    storage.hold();
    writer.send(updateFrame(moveUpdate(doc).update));
    writer.send(flushFrame(1));
    await sleep(20);
    idle.send(flushFrame(42));
    await waitFor(() => acks(idle).length > 0, 2000, 'the idle connection answered');
    expect(acks(idle)).toEqual([42]);
    expect(acks(writer)).toEqual([]); // and one connection's answer never goes to another
    storage.release();
    await waitFor(() => acks(writer).length > 0, 5000, 'the writer answered');
    expect(acks(writer)).toEqual([1]);
    expect(acks(idle)).toEqual([42]);
  });

  it('[F2] sent with updates before the board has loaded, is answered after them', async () => {
    const h = await testServer();
    const doc = await replica(h, 504);
    const { id, update } = moveUpdate(doc);
    await h.restart(); // the board is cold: frames wait in the connection's queue while it loads
    const c = await h.raw('editor');
    c.send(updateFrame(update));
    c.send(flushFrame(5));
    await waitFor(() => acks(c).length > 0, 5000, 'the flush answer');
    expect(acks(c)).toEqual([5]);
    expect((await storedView(h.storage, h.boardId)).activityById.get(id)?.laneId).toBe(LANE_D);
  });

  it('[F3] after a replay of an update still being written (a quick reconnect), waits for that write', async () => {
    const h = await testServer();
    const storage = delayWrites(h);
    const first = await joined(await h.raw('editor', h, { key: 'k'.repeat(32) }));
    const again = await joined(await h.raw('editor', h, { key: 'k'.repeat(32) }));
    const doc = await replica(h, 505);
    const { update } = moveUpdate(doc);

    storage.hold();
    first.send(updateFrame(update));
    await sleep(20);
    again.send(updateFrame(update)); // nothing new against document + in-flight writes: a no-op
    again.send(flushFrame(9));
    await sleep(100);
    expect(acks(again)).toEqual([]);
    storage.release();
    await waitFor(() => acks(again).length > 0, 5000, 'the replay answered');
    expect(acks(again)).toEqual([9]);
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
  });

  it('[F3] after a failed write: no answer, the sender and a replaying connection are closed with 4500', async () => {
    const fault = nextWriteFails();
    const h = await testServer({ faultInjection: fault.faultInjection });
    const storage = delayWrites(h);
    const sender = await joined(await h.raw('editor'));
    const replayer = await joined(await h.raw('editor'));
    const doc = await replica(h, 506);
    const { update } = moveUpdate(doc);

    storage.hold();
    fault.armed = true;
    sender.send(updateFrame(update));
    sender.send(flushFrame(1));
    await sleep(20);
    replayer.send(updateFrame(update));
    replayer.send(flushFrame(2));
    await sleep(100); // both judged, both waiting for the one write
    storage.release();
    expect((await closeOf(sender)).code).toBe(CloseCode.storageFailed);
    expect((await closeOf(replayer)).code).toBe(CloseCode.storageFailed);
    expect(acks(sender)).toEqual([]);
    expect(acks(replayer)).toEqual([]);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
  });

  it('[F4] a malformed flush closes the connection with 4400; unknown types are still refused', async () => {
    const h = await testServer();
    const cases: Record<string, Uint8Array> = {
      'no n': new Uint8Array([messageFlush]),
      'truncated n': new Uint8Array([messageFlush, 0x80]),
      'trailing bytes': new Uint8Array([messageFlush, 1, 0]),
      'n past 2^53': new Uint8Array([messageFlush, ...new Array<number>(9).fill(0xff), 1]),
      'type 99': new Uint8Array([99, 1]),
      'type 101': new Uint8Array([101, 1]),
    };
    const got: Record<string, number> = {};
    for (const [name, data] of Object.entries(cases)) {
      const c = await joined(await h.raw('editor'));
      c.send(data);
      got[name] = (await closeOf(c)).code;
      expect(acks(c), name).toEqual([]);
    }
    expect(got).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, CloseCode.badMessage])));
    const ok = await joined(await h.raw('editor'));
    ok.send(flushFrame(2 ** 53 - 1)); // the largest n lib0 reads
    await waitFor(() => acks(ok).length > 0, 2000, 'the answer');
    expect(acks(ok)).toEqual([2 ** 53 - 1]);
  });

  it('[F5] a stock y-websocket client is unaffected; with a handler for 100 (as the board app does) it gets answers', async () => {
    const h = await testServer();
    const stock = h.connect('editor');
    const flushing = h.connect('editor');
    await Promise.all([stock.synced, flushing.synced]);
    const unexpected: number[] = [];
    stock.provider.messageHandlers[messageFlush] = () => unexpected.push(1);
    const answers: number[] = [];
    flushing.provider.messageHandlers[messageFlush] = (_encoder, decoder) => answers.push(decoding.readVarUint(decoder));
    const raw = await joined(await h.raw('editor'));

    const { id } = moveUpdate(flushing.doc); // a local edit: the provider sends the update itself
    flushing.provider.ws!.send(flushFrame(1));
    raw.send(flushFrame(3));
    await waitFor(() => answers.length === 1 && acks(raw).length === 1, 5000, 'both answers');
    expect(answers).toEqual([1]);
    expect((await storedView(h.storage, h.boardId)).activityById.get(id)?.laneId).toBe(LANE_D);
    await waitFor(() => roots(stock.doc).activities.get(id)?.get('laneId') === LANE_D, 5000, 'the move at the stock client');

    // The stock client edits on: stored, relayed, never answered with anything it does not know.
    const other = moveUpdate(stock.doc);
    await waitFor(() => roots(flushing.doc).activities.get(other.id)?.get('laneId') === LANE_D, 5000, 'the stock move relayed');
    await waitFor(() => documentFrames(raw).filter((f) => f.type === 'update').length === 2, 5000, 'both moves at the raw client');
    expect(unexpected).toEqual([]);
    expect(stock.closes).toEqual([]);
    expect(flushing.closes).toEqual([]);
    expect(stock.provider.wsconnected).toBe(true);
  });
});

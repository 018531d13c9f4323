/** Holes found in review, each closed: crashes from a refused socket or deep presence, forged dependencies, id claims. */
import { connect } from 'node:net';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, moveActivity, roots } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { awarenessFrame, awarenessPayload, closeOf, updateFrame, waitFor } from '@tabla/test-clients';
import { captureUpdate, storedDoc, testServer } from './harness.js';

const KEY = { a: 'device-a-0123456789abcdef', b: 'device-b-0123456789abcdef' } as const;

describe('hardening', () => {
  it('[R7][R11] an unmasked frame right after a refused token does not take the server down', async () => {
    const h = await testServer();
    const { port } = h;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `GET /sync/${h.boardId}?token=nope HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let answered = false;
      socket.on('data', () => {
        if (answered) return;
        answered = true;
        socket.write(Buffer.from([0x82, 0x01, 0x00])); // a binary frame without the client's mask: a protocol error
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 300);
      });
      socket.on('error', reject);
    });
    // Still serving.
    const p = h.connect('viewer');
    await p.synced;
    expect(roots(p.doc).activities.size).toBe(15);
  });

  it('[R9] an update that depends on changes the server does not have is refused and not stored', async () => {
    const h = await testServer();
    const doc = await storedDoc(h.storage, h.boardId);
    const ids = [...roots(doc).activities.keys()] as ActivityId[];
    captureUpdate(doc, (d) => moveActivity(d, ids[0]!, demoLaneId('D'), 0)); // never sent
    const second = captureUpdate(doc, (d) => moveActivity(d, ids[1]!, demoLaneId('D'), 0));
    const c = await h.raw('editor', h, { key: KEY.a });
    c.send(updateFrame(second));
    expect(await closeOf(c)).toMatchObject({ code: CloseCode.invalidUpdate });
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
  });

  it('[R10] deeply nested presence is refused, and everyone else keeps joining', async () => {
    const h = await testServer();
    // Encoded by hand: re-encoding such a value is exactly what overflows the stack.
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 777);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, '{"a":' + '['.repeat(3000) + ']'.repeat(3000) + '}'); // under the message limit: refused for its depth
    const bad = await h.raw('viewer');
    bad.send(awarenessFrame(encoding.toUint8Array(e)));
    expect(await closeOf(bad)).toMatchObject({ code: CloseCode.badMessage });
    const p = h.connect('viewer');
    await p.synced;
    const shallow = await h.raw('viewer');
    shallow.send(awarenessFrame(awarenessPayload(778, 1, { user: { name: 'ok', nested: { a: { b: 1 } } } })));
    await waitFor(() => p.provider.awareness.getStates().has(778), 5000, 'a normal state relayed');
  });

  it('[R10] a client id announced in presence belongs to its device: another device cannot write under it', async () => {
    const h = await testServer();
    const victim = await h.raw('editor', h, { key: KEY.a });
    const victimId = 424_242;
    victim.send(awarenessFrame(awarenessPayload(victimId, 1, { user: { name: 'žrtva' } })));
    const watcher = h.connect('viewer');
    await watcher.synced;
    await waitFor(() => watcher.provider.awareness.getStates().has(victimId), 5000, 'victim announced');

    const forged = new Y.Doc();
    forged.clientID = victimId;
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(await storedDoc(h.storage, h.boardId)));
    const ids = [...roots(forged).activities.keys()] as ActivityId[];
    const update = captureUpdate(forged, (d) => moveActivity(d, ids[0]!, demoLaneId('D'), 0));
    const attacker = await h.raw('editor', h, { key: KEY.b });
    attacker.send(updateFrame(update));
    expect(await closeOf(attacker)).toMatchObject({ code: CloseCode.forbidden, reason: 'writes under another client id' });
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
  });

  it('[R10] one connection may hold only a few presence ids; "gone" for unknown ids leaves nothing behind', async () => {
    const h = await testServer({ sync: { presenceBurst: 200 } });
    const c = await h.raw('viewer');
    for (let id = 1; id <= 4; id++) c.send(awarenessFrame(awarenessPayload(id, 1, { user: { name: `n${id}` } })));
    for (let id = 100; id < 200; id++) c.send(awarenessFrame(awarenessPayload(id, 1, null)));
    const watcher = h.connect('viewer');
    await watcher.synced;
    await waitFor(() => watcher.provider.awareness.getStates().has(4), 5000, 'four ids relayed');
    expect(c.closeInfo).toBeNull();
    c.send(awarenessFrame(awarenessPayload(5, 1, { user: { name: 'n5' } })));
    expect(await closeOf(c)).toMatchObject({ code: CloseCode.presenceRefused, reason: 'too many presence ids' });
  });
});

import { describe, expect, it } from 'vitest';
import { type ActivityId, demoMunicipalityId, editActivity, roots } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { awarenessFrame, awarenessPayload, closeOf, parseServerFrame, type RawClient, updateFrame, waitFor } from '@tabla/test-clients';
import { captureUpdate, issueMunicipalityLink, storedDoc, testServer } from './harness.js';

const KEY = { mostar: 'device-mostar-0123456789', trnovo: 'device-trnovo-0123456789' } as const;

/** Has `c` been told that `clientId` is at `clock`? */
const sees = (c: RawClient, clientId: number, clock: number) =>
  c.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(clientId)?.clock === clock);

describe('presence (awareness) the server vouches for', () => {
  it('[R10] a device cannot speak for another device’s presence (dropped, like the echoes stock clients send), but may take over its own', async () => {
    const h = await testServer();
    const mostar = await h.raw('editor', h, { key: KEY.mostar });
    const trnovo = await h.raw('editor', h, { key: KEY.trnovo });
    mostar.send(awarenessFrame(awarenessPayload(1001, 1, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(trnovo, 1001, 1), 5000, 'mostar at trnovo');

    // An echo of what everyone already has changes nothing (stock clients do it).
    trnovo.send(awarenessFrame(awarenessPayload(1001, 1, { user: { name: 'Mostar', role: 'editor' } })));
    // A newer state for Mostar's id from another device (a forgery, or a client timing Mostar out
    // on its own clock) is dropped: never relayed, and no reason to close an honest echoer.
    trnovo.send(awarenessFrame(awarenessPayload(1001, 2, { user: { name: 'Lažni Mostar', role: 'editor' } })));
    trnovo.send(awarenessFrame(awarenessPayload(1001, 2, null)));
    trnovo.send(awarenessFrame(awarenessPayload(2002, 1, { user: { name: 'Trnovo', role: 'editor' } })));
    await waitFor(() => sees(mostar, 2002, 1), 5000, 'trnovo’s own presence relayed after the dropped ones');
    expect(sees(mostar, 1001, 2)).toBe(false);
    expect(trnovo.closeInfo).toBeNull();

    // The same device reconnecting (its old socket not yet gone) takes its id over.
    const again = await h.raw('editor', h, { key: KEY.mostar });
    again.send(awarenessFrame(awarenessPayload(1001, 3, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(mostar, 1001, 3), 5000, 'the takeover relayed');
    expect(again.closeInfo).toBeNull();
  });

  it('[R10] presence must carry the link’s own role, and only the facilitator leads the view', async () => {
    const h = await testServer();
    const watcher = await h.raw('viewer');
    const faker = await h.raw('editor', h, { key: KEY.trnovo });
    faker.send(awarenessFrame(awarenessPayload(2001, 1, { user: { name: 'X', role: 'facilitator' } })));
    expect(await closeOf(faker)).toMatchObject({ code: CloseCode.presenceRefused, reason: 'presence claims another role' });

    const steerer = await h.raw('editor', h, { key: KEY.mostar });
    steerer.send(awarenessFrame(awarenessPayload(2002, 1, { user: { name: 'Y', role: 'editor' }, view: { focus: { kind: 'lane', id: 'l_A' } } })));
    expect(await closeOf(steerer)).toMatchObject({ code: CloseCode.presenceRefused, reason: 'only the facilitator leads the view' });

    const facilitator = await h.raw('facilitator');
    facilitator.send(awarenessFrame(awarenessPayload(2003, 1, { user: { name: 'F', role: 'facilitator' }, view: { focus: { kind: 'lane', id: 'l_A' } } })));
    await waitFor(() => sees(watcher, 2003, 1), 5000, 'the facilitator’s view relayed');
    expect(sees(watcher, 2001, 1) || sees(watcher, 2002, 1)).toBe(false);
  });

  it('[R10] a municipality’s link may announce only its own municipality; a general link any', async () => {
    const h = await testServer();
    const MOSTAR = demoMunicipalityId('mostar');
    const TRNOVO = demoMunicipalityId('trnovoF');
    const mostarToken = await issueMunicipalityLink(h, MOSTAR);
    const watcher = await h.raw('viewer');

    const impostor = await h.raw({ token: mostarToken }, h, { key: KEY.mostar });
    impostor.send(awarenessFrame(awarenessPayload(3001, 1, { user: { name: 'M', role: 'editor', municipalityId: TRNOVO } })));
    expect(await closeOf(impostor)).toMatchObject({ code: CloseCode.presenceRefused, reason: 'presence claims another municipality' });

    const mostar = await h.raw({ token: mostarToken }, h, { key: KEY.mostar });
    mostar.send(awarenessFrame(awarenessPayload(3002, 1, { user: { name: 'M', role: 'editor', municipalityId: MOSTAR } })));
    // Naming no municipality claims none (e.g. before the name dialog was filled in).
    mostar.send(awarenessFrame(awarenessPayload(3002, 2, { user: { name: 'M', role: 'editor', municipalityId: null } })));
    const general = await h.raw('editor', h, { key: KEY.trnovo });
    general.send(awarenessFrame(awarenessPayload(3003, 1, { user: { name: 'T', role: 'editor', municipalityId: TRNOVO } })));
    await waitFor(() => sees(watcher, 3002, 2) && sees(watcher, 3003, 1), 5000, 'both presences relayed');
    expect(sees(watcher, 3001, 1)).toBe(false);
    expect([mostar.closeInfo, general.closeInfo]).toEqual([null, null]);
  });

  it('[R10] a late echo of someone who has left is dropped, not taken as the echoer’s own claim', async () => {
    const h = await testServer();
    const facilitator = await h.raw('facilitator', h, { key: KEY.mostar });
    const coordinator = await h.raw('editor', h, { key: KEY.trnovo });
    const led = { user: { name: 'Facilitatorica', role: 'facilitator' }, view: { kind: 'lane', id: 'l_A' } };
    facilitator.send(awarenessFrame(awarenessPayload(3003, 1, led)));
    await waitFor(() => sees(coordinator, 3003, 1), 5000, 'relayed');
    facilitator.terminate();
    await waitFor(() => coordinator.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(3003)?.state === null), 5000, 'the facilitator gone');
    // The coordinator's client still had the old state in flight (or times it out itself).
    coordinator.send(awarenessFrame(awarenessPayload(3003, 1, led)));
    coordinator.send(awarenessFrame(awarenessPayload(3003, 2, null)));
    coordinator.send(awarenessFrame(awarenessPayload(4004, 1, { user: { name: 'Trnovo', role: 'editor' } })));
    const other = await h.raw('viewer');
    await waitFor(() => sees(other, 4004, 1), 5000, 'the coordinator’s own presence');
    expect(sees(other, 3003, 1)).toBe(false); // no ghost of the facilitator
    expect(coordinator.closeInfo).toBeNull();
  });

  it('[R10] a device that reconnects speaks for its presence again; another device cannot take the id over', async () => {
    const h = await testServer();
    const viewer = await h.raw('viewer');
    const first = await h.raw('editor', h, { key: KEY.mostar });
    first.send(awarenessFrame(awarenessPayload(5005, 1, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(viewer, 5005, 1), 5000, 'relayed');
    first.terminate(); // Wi-Fi gone; the stock provider comes back with the same client id
    await waitFor(() => viewer.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(5005)?.state === null), 5000, 'gone');
    const stranger = await h.raw('editor', h, { key: KEY.trnovo });
    stranger.send(awarenessFrame(awarenessPayload(5005, 5, { user: { name: 'Lažni Mostar', role: 'editor' } })));
    const back = await h.raw('editor', h, { key: KEY.mostar });
    back.send(awarenessFrame(awarenessPayload(5005, 3, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(viewer, 5005, 3), 5000, 'the same device is seen again');
    expect(sees(viewer, 5005, 5)).toBe(false);
    expect([back.closeInfo, stranger.closeInfo]).toEqual([null, null]);
  });

  it('[R10] another tab of the same device echoing a closed tab’s presence takes no id over and is never closed for it', async () => {
    const h = await testServer();
    const viewer = await h.raw('viewer');
    const tab2 = await h.raw('editor', h, { key: KEY.mostar });
    tab2.send(awarenessFrame(awarenessPayload(6000, 1, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(viewer, 6000, 1), 5000, 'tab 2 present');
    for (let round = 1; round <= 6; round++) {
      const id = 6000 + round;
      const tab = await h.raw('editor', h, { key: KEY.mostar });
      tab.send(awarenessFrame(awarenessPayload(id, 1, { user: { name: 'Mostar', role: 'editor' } })));
      await waitFor(() => sees(viewer, id, 1), 5000, `tab ${round} present`);
      tab.terminate();
      await waitFor(() => viewer.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(id)?.state === null), 5000, 'gone');
      // Tab 2's copy of the closed tab's last state, still on its way.
      tab2.send(awarenessFrame(awarenessPayload(id, 1, { user: { name: 'Mostar', role: 'editor' } })));
    }
    tab2.send(awarenessFrame(awarenessPayload(6000, 2, { user: { name: 'Mostar', role: 'editor' } })));
    await waitFor(() => sees(viewer, 6000, 2), 5000, 'tab 2 still relayed');
    expect(tab2.closeInfo).toBeNull();
  });

  it('[R10] a client id announced in presence stays its device’s after it left: nobody else may write under it', async () => {
    const h = await testServer();
    const victim = await h.raw('editor', h, { key: KEY.mostar });
    victim.send(awarenessFrame(awarenessPayload(7007, 1, { user: { name: 'Mostar', role: 'editor' } })));
    const viewer = await h.raw('viewer');
    await waitFor(() => sees(viewer, 7007, 1), 5000, 'present');
    victim.terminate();
    await waitFor(() => viewer.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(7007)?.state === null), 5000, 'gone');
    const forged = await storedDoc(h.storage, h.boardId);
    forged.clientID = 7007; // the victim's id, seen in its presence
    const id = [...roots(forged).activities.keys()][0]! as ActivityId;
    const attacker = await h.raw('editor', h, { key: KEY.trnovo });
    attacker.send(updateFrame(captureUpdate(forged, (d) => editActivity(d, id, { notes: 'tuđe ime' }))));
    expect(await closeOf(attacker)).toMatchObject({ code: CloseCode.forbidden, reason: 'writes under another client id' });
  });
});

import { expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { moveActivity, editActivity, demoLaneId, roots, type ActivityId } from '@tabla/plan-model';
import { startTestServer, updateFrame, frame, sleep, waitFor } from './harness.js';

it('clock squatting', async () => {
  const h = await startTestServer();
  onTestFinished(h.stop);
  const victim = h.connect('editor');
  const other = h.connect('viewer');
  await Promise.all([victim.synced, other.synced]);
  const ids = [...roots(victim.doc).activities.keys()] as ActivityId[];
  moveActivity(victim.doc, ids[0]!, demoLaneId('D'), 0);
  await waitFor(() => roots(other.doc).activities.get(ids[0]!)?.get('laneId') === demoLaneId('D'));
  victim.provider.disconnect();
  const clock = Y.getState(victim.doc.store, victim.doc.clientID);
  editActivity(victim.doc, ids[1]!, { title: 'offline edit' });
  const gc = frame((e) => {
    encoding.writeVarUint(e, 1); encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, victim.doc.clientID); encoding.writeVarUint(e, clock);
    encoding.writeUint8(e, 0); encoding.writeVarUint(e, 1000);
    encoding.writeVarUint(e, 0);
  });
  const c = await h.raw('editor');
  await waitFor(() => c.frames.length > 0);
  c.send(updateFrame(gc));
  await sleep(100);
  console.log('attacker', c.closeInfo, 'stored', await h.storage.countUpdates(h.boardId));
  victim.provider.connect();
  await sleep(1000);
  console.log('other sees offline edit?', roots(other.doc).activities.get(ids[1]!)?.get('title'), 'victim', roots(victim.doc).activities.get(ids[1]!)?.get('title'));
});

/**
 * Bad frames (RELIABILITY.md "bad frames survived: all of them, with memory growth < 200 MB"):
 * our built server, each hostile frame on its own authorized connection (random bytes, a sync
 * message with a garbage body, a varint claiming gigabytes, a text frame); then the server must
 * still serve the board, unchanged, and its RSS must not have grown past the bound.
 */
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { roots } from '@tabla/plan-model';
import { CountingReader } from './clients.js';
import type { Figure } from './results.js';
import type { TablaServer } from './servers.js';
import { inBatches, sleep } from './stats.js';

const MB = 1024 * 1024;

/** On `server`, started with LIFTED_LIMITS and NO_REFUSAL_BACKOFF (every frame judged, none turned away at the door for the ones before it). */
export async function flood(server: TablaServer, connections: number, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const board = await server.createBoard('demo', 'flood');
  const before = await CountingReader.connect(server.wsUrl, board.id, board.tokens.viewer);
  await sleep(500);
  const rss0 = server.rss();
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let refused = 0;
  const started = performance.now();
  await inBatches(connections, 50, (i) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(`${server.wsUrl}/${board.id}?token=${board.tokens.editor}`);
      ws.on('open', () => {
        const kind = i % 4;
        const frame = Uint8Array.from({ length: Math.floor(random() * 4096) + 8 }, () => Math.floor(random() * 256));
        if (kind === 0) frame[0] = 0; // a sync message with a garbage body
        if (kind === 1) frame.set([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]); // a varint claiming gigabytes
        ws.send(kind === 3 ? 'text frame' : frame);
      });
      // A random frame can be a valid message by chance (a query for presence): then the server answers and keeps it.
      const timer = setTimeout(() => ws.terminate(), 2_000);
      ws.on('close', (code) => {
        clearTimeout(timer);
        if (code >= 1003) refused++;
        resolve();
      });
      ws.on('error', () => resolve());
    }),
  );
  const elapsed = performance.now() - started;
  await sleep(1_000);
  const rss1 = server.rss();
  const after = await CountingReader.connect(server.wsUrl, board.id, board.tokens.viewer, true);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, after.state!);
  const intact = roots(doc).activities.size === 15 && before.count === 0 && before.closed === null;
  doc.destroy();
  before.close();
  after.close();
  const growth = (rss1 - rss0) / MB;
  log(`bad frames: ${refused}/${connections} connections refused in ${(elapsed / 1000).toFixed(1)} s, RSS growth ${growth.toFixed(1)} MB, board ${intact ? 'intact' : 'CHANGED'}`);
  return {
    figures: [
      { id: 'flood.survived', unit: '', value: intact ? 1 : 0, detail: `${refused} of ${connections} connections refused (the rest sent a frame that was valid by chance); the server still served the board, unchanged, and a reader connected throughout got no update` },
      { id: 'flood.rssGrowth', unit: 'MB', value: Number(growth.toFixed(1)), detail: `VmRSS of the server, 1 s after the last of ${connections} hostile connections` },
    ],
    notes: [
      `Bad frames: ${connections} connections with an editor's link to one demo board, 50 at a time, each sending one hostile frame (random bytes up to 4 KiB, a sync message with a garbage body, a varint claiming gigabytes, or a text frame) to our built server (the relay's, after its runs) with the refusal backoff lifted too (FREE_REFUSALS, FREE_REFUSALS_PER_ADDRESS).`,
    ],
  };
}

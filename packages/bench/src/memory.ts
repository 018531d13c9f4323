/**
 * Resident memory per loaded board, ours and the reference's, each in a fresh process: VmRSS of
 * the server process before and after `n` boards are loaded, one raw client connected to each
 * (the connection is part of what a loaded board costs, on both servers), divided by `n`.
 * Ours loads boards created through the API from its SQLite store; the reference gets the same
 * document (the bytes our server sent our client) from its client, since it starts empty.
 */
import * as Y from 'yjs';
import { addActivity, demoLaneId, demoMunicipalityId, moveActivity, roots, type Status } from '@tabla/plan-model';
import { encodeUpdate } from '@tabla/sync-protocol';
import { allReached, CountingReader } from './clients.js';
import { compared, type Figure } from './results.js';
import { type Board, type BenchServer, LIFTED_LIMITS, newDataDir, ReferenceServer, seedDemoBoards, TablaServer } from './servers.js';
import { inBatches, median, round, sleep } from './stats.js';

export interface MemoryParams {
  /** Numbers of loaded demo boards: figures `memory.demo100` and `memory.demo1000` (their full-run counts). */
  readonly demoBoards: readonly [number, number];
  /** Activities of the one large board. */
  readonly largeActivities: number;
  /** Quiet time before sampling VmRSS, and the samples taken (100 ms apart). */
  readonly settleMs: number;
  readonly samples: number;
}

const MB = 1024 * 1024;

let settle = { ms: 1_000, samples: 5 };

/** The median of a few VmRSS samples after the process has settled. */
async function settledRss(server: BenchServer): Promise<number> {
  await sleep(settle.ms);
  const samples: number[] = [];
  for (let i = 0; i < settle.samples; i++) {
    samples.push(server.rss());
    await sleep(100);
  }
  return median(samples);
}

/**
 * Loads `boards` on our server (a process that has loaded none yet), one reader each, in steps (e.g. the first 100,
 * then up to 1,000), and returns MB per board at each step, and the document of the first board.
 */
async function oursPerBoard(server: TablaServer, boards: readonly Board[], steps: readonly number[]): Promise<{ perBoard: number[]; heapPerBoard: (number | null)[]; state: Uint8Array }> {
  const rss0 = await settledRss(server);
  const heap0 = await server.metric('tabla_process_nodejs_heap_size_used_bytes');
  const readers: CountingReader[] = [];
  const perBoard: number[] = [];
  const heapPerBoard: (number | null)[] = [];
  for (const n of steps) {
    const from = readers.length;
    readers.push(...(await inBatches(n - from, 50, (i) => CountingReader.connect(server.wsUrl, boards[from + i]!.id, boards[from + i]!.tokens.viewer, from + i === 0))));
    const rss = await settledRss(server);
    const heap = await server.metric('tabla_process_nodejs_heap_size_used_bytes');
    perBoard.push((rss - rss0) / n / MB);
    heapPerBoard.push(heap0 !== null && heap !== null ? (heap - heap0) / n / MB : null);
  }
  const state = readers[0]!.state!;
  readers.forEach((r) => r.close());
  return { perBoard, heapPerBoard, state };
}

/** Loads copies of `state` on a fresh reference process, one client each, in the same steps, and returns MB per board at each. */
async function referencePerBoard(steps: readonly number[], state: Uint8Array, tag: string): Promise<number[]> {
  const server = await ReferenceServer.start();
  try {
    const rss0 = await settledRss(server);
    const frame = encodeUpdate(state);
    const clients: CountingReader[] = [];
    const perBoard: number[] = [];
    for (const n of steps) {
      const from = clients.length;
      const added = await inBatches(n - from, 50, async (i) => {
        const c = await CountingReader.connect(server.wsUrl, `${tag}-${from + i}`, 'none');
        c.ws.send(frame);
        return c;
      });
      clients.push(...added);
      // The reference relays an update to every connection, its sender too: the echo says it is applied.
      if (!(await allReached(added, () => 1, 60_000))) throw new Error('reference: boards not loaded');
      perBoard.push(((await settledRss(server)) - rss0) / n / MB);
    }
    clients.forEach((c) => c.close());
    return perBoard;
  } finally {
    await server.stop();
  }
}

const STATUSES: readonly Status[] = ['planned', 'in_progress', 'done', 'postponed'];
const MUNICIPALITIES = (['trnovoF', 'trnovoRS', 'novoSarajevo', 'istocnoNovoSarajevo', 'mostar', 'noviTravnik', 'istocnoSarajevo', 'bugojno'] as const).map((k) => demoMunicipalityId(k));
const LANES = (['A', 'B', 'C', 'D'] as const).map((k) => demoLaneId(k));

/** Grows a demo board to `activities` full activities (every column filled), then moves half of them once, as the README sizes a large plan. */
function growLargeBoard(doc: Y.Doc, activities: number): void {
  const added = [];
  for (let i = roots(doc).activities.size; i < activities; i++) {
    const lead = MUNICIPALITIES[i % MUNICIPALITIES.length]!;
    added.push(
      addActivity(
        doc,
        {
          title: `Aktivnost ${i + 1}: zajednička radionica o učešću građana u odlučivanju`,
          description: 'Opis aktivnosti: cilj, ciljna grupa, način provođenja i očekivani rezultati, dogovoreni na sastanku platforme.',
          leadId: lead,
          partners: [MUNICIPALITIES[(i + 1) % MUNICIPALITIES.length]!, MUNICIPALITIES[(i + 3) % MUNICIPALITIES.length]!],
          timeframe: `202${4 + (i % 3)}-Q${1 + (i % 4)}`,
          status: STATUSES[i % STATUSES.length]!,
          responsible: 'koordinator/ica LDP-a i načelnik/ca',
          budget: 1000 + i * 10,
          fundingSource: 'budžet općine i donatori',
          indicator: 'broj učesnika, broj usvojenih prijedloga',
          notes: 'Napomena: uskladiti termin s partnerima.',
        },
        { laneId: LANES[i % LANES.length]! },
      ),
    );
  }
  for (let i = 0; i < added.length; i += 2) moveActivity(doc, added[i]!, LANES[(i + 1) % LANES.length]!, 0);
}

export async function memory(params: MemoryParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const figures: Figure[] = [];
  settle = { ms: params.settleMs, samples: params.samples };
  const dir = newDataDir();
  const [large] = await seedDemoBoards(dir, 1, 'large', (doc) => growLargeBoard(doc, params.largeActivities));
  const steps = params.demoBoards;
  const boards = await seedDemoBoards(dir, Math.max(...steps), 'memory');
  const server = await TablaServer.start(LIFTED_LIMITS, dir);
  try {
    const ours = await oursPerBoard(server, boards, steps);
    const reference = await referencePerBoard(steps, ours.state, 'demo');
    steps.forEach((n, k) => {
      log(`memory, ${n} demo boards: ours ${ours.perBoard[k]!.toFixed(3)} MB/board (heap ${ours.heapPerBoard[k]?.toFixed(3) ?? '-'}), reference ${reference[k]!.toFixed(3)} MB/board`);
      figures.push(
        compared(k === 0 ? 'memory.demo100' : 'memory.demo1000', 'MB', round(ours.perBoard[k]!, 3), round(reference[k]!, 3), {
          detail: `${n} boards loaded; demo document ${(ours.state.length / 1024).toFixed(1)} KiB`,
        }),
      );
    });
    await server.restart('SIGTERM');
    const one = await oursPerBoard(server, [large!], [1]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, one.state);
    const count = roots(doc).activities.size;
    doc.destroy();
    const [referenceLarge] = await referencePerBoard([1], one.state, 'large');
    log(`memory, one board of ${count} activities (${(one.state.length / MB).toFixed(2)} MiB): ours ${one.perBoard[0]!.toFixed(1)} MB, reference ${referenceLarge!.toFixed(1)} MB`);
    figures.push(
      compared('memory.large', 'MB', round(one.perBoard[0]!, 2), round(referenceLarge!, 2), {
        detail: `${count} activities, document ${(one.state.length / MB).toFixed(2)} MiB`,
      }),
    );
  } finally {
    await server.dispose();
  }
  return {
    figures,
    notes: [
      `Memory: VmRSS of the server process (the median of ${params.samples} samples after ${params.settleMs} ms of quiet) before any board is loaded and after ${params.demoBoards.join(', then ')} demo boards are, one raw client connected to each (the connection is part of the cost, on both servers); per board = the growth / boards. Ours loads demo boards (as POST /api/boards makes them) from SQLite in a fresh process; the reference, a fresh process, is given the same document bytes by its clients.`,
      `Memory of the large board: the demo board grown to ${params.largeActivities} activities with every column filled, half of them moved once (as README "How the board limits were sized"), stored like the demo boards; measured alone in a fresh process.`,
    ],
  };
}

/**
 * Cold load over the socket: a board of 200 activities whose log holds 10,000 edits, never
 * compacted (the server is killed with SIGKILL after writing them, as after a crash), then the
 * server restarted; the time from a fresh stock client opening its socket until it is synced.
 * Each measurement restarts the server (and kills it right after, before the board can be
 * unloaded and compacted). Also: the same in a process already warm (another board served
 * first), after a graceful restart (SIGTERM compacts the log into one snapshot), and the same
 * edits written with the default settings (compacted every COMPACT_AFTER_UPDATES as they come),
 * then a crash: what a restarted `npm start` meets.
 */
import { type ActivityId, addActivity, demoLaneId, roots } from '@tabla/plan-model';
import { connectStock } from '@tabla/test-clients';
import { activityIds, allReached, change, connectWriter, CountingReader } from './clients.js';
import type { Figure } from './results.js';
import { type Board, LIFTED_LIMITS, TablaServer } from './servers.js';
import { finite, median, until } from './stats.js';

export interface ColdLoadParams {
  readonly activities: number;
  readonly edits: number;
  /** Restarts (and measurements) per variant. */
  readonly repeats: number;
}

const LANES = (['A', 'B', 'C', 'D'] as const).map((k) => demoLaneId(k));

/** Adds activities up to `activities`, then `edits` changes, through a facilitator's stock client; resolves once a reader has every update. */
async function fill(server: TablaServer, board: Board, params: ColdLoadParams): Promise<number> {
  const writer = await connectWriter(server.wsUrl, board.id, board.tokens.facilitator);
  const reader = await CountingReader.connect(server.wsUrl, board.id, board.tokens.viewer);
  reader.follow(writer.doc);
  let sent = 0;
  const flushEvery = async (n: number) => {
    if (++sent % n === 0 && !(await allReached([reader], () => sent, 60_000))) throw new Error(`cold load: updates not relayed (${reader.count}/${sent})`);
  };
  for (let i = roots(writer.doc).activities.size; i < params.activities; i++) {
    addActivity(writer.doc, { title: `Aktivnost ${i + 1}: razmjena iskustava među općinama`, status: 'planned', timeframe: '2024-Q2', responsible: 'koordinator/ica LDP-a' }, { laneId: LANES[i % LANES.length]! });
    await flushEvery(100);
  }
  const ids: ActivityId[] = activityIds(writer.doc);
  for (let i = 0; i < params.edits; i++) {
    change(writer.doc, ids, i);
    await flushEvery(500);
  }
  if (!(await allReached([reader], () => sent, 60_000))) throw new Error('cold load: updates not relayed');
  writer.destroy();
  reader.close();
  return sent;
}

/** Time from opening the socket to the stock client's first sync; checks the board arrived whole. */
async function timeSync(server: TablaServer, board: Board, activities: number): Promise<number> {
  const t0 = performance.now();
  const client = connectStock(server.wsUrl, board.id, board.tokens.viewer);
  const synced = await Promise.race([client.synced.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
  const elapsed = performance.now() - t0;
  const got = roots(client.doc).activities.size;
  client.destroy();
  if (!synced) throw new Error(`cold load: no sync in 30 s (closes ${JSON.stringify(client.closes)})`);
  if (got !== activities) throw new Error(`cold load: the client got ${got} activities, not ${activities}`);
  return elapsed;
}

export async function coldLoad(params: ColdLoadParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  // Writing: compaction off (at most COMPACT_AFTER_UPDATES allows), so every edit stays in the log.
  const server = await TablaServer.start({ ...LIFTED_LIMITS, COMPACT_AFTER_UPDATES: '1000000' });
  try {
    const board = await server.createBoard('demo', 'cold load');
    const other = await server.createBoard('demo', 'warm-up');
    const updates = await fill(server, board, params);
    // The same edits with the default compaction (compacted as they come); the limits stay lifted for the writer.
    await server.restart('SIGKILL', { ...LIFTED_LIMITS });
    const usual = await server.createBoard('demo', 'cold load, default compaction');
    await fill(server, usual, params);
    const variants: Record<'crash' | 'warm' | 'compacted' | 'defaults', number[]> = { crash: [], warm: [], compacted: [], defaults: [] };
    const usualLogged: number[] = [];
    const logged: number[] = [];
    // Measured with the default settings: what `npm start` runs.
    for (let i = 0; i < params.repeats; i++) {
      await server.restart('SIGKILL', {});
      variants.crash.push(await timeSync(server, board, params.activities));
      await until(() => server.loadedLogLength(board.id) !== null, 1_000);
      logged.push(server.loadedLogLength(board.id) ?? -1);
    }
    for (let i = 0; i < params.repeats; i++) {
      await server.restart('SIGKILL', {});
      await timeSync(server, other, 15);
      variants.warm.push(await timeSync(server, board, params.activities));
    }
    for (let i = 0; i < params.repeats; i++) {
      await server.restart('SIGKILL', {});
      variants.defaults.push(await timeSync(server, usual, params.activities));
      await until(() => server.loadedLogLength(usual.id) !== null, 1_000);
      usualLogged.push(server.loadedLogLength(usual.id) ?? -1);
    }
    // A graceful stop compacts every loaded board (the last process loaded it from its log).
    for (let i = 0; i < params.repeats; i++) {
      await server.restart('SIGTERM', {});
      variants.compacted.push(await timeSync(server, board, params.activities));
    }
    log(`cold load: after a crash ${variants.crash.map((x) => x.toFixed(0)).join(', ')} ms; warm process ${variants.warm.map((x) => x.toFixed(0)).join(', ')} ms; compacted ${variants.compacted.map((x) => x.toFixed(0)).join(', ')} ms; default compaction, after a crash ${variants.defaults.map((x) => x.toFixed(0)).join(', ')} ms`);
    const fig = (id: string, xs: number[], detail: string): Figure => ({ id, unit: 'ms', value: finite(median(xs)), runs: xs.map((x) => Number(x.toFixed(1))), detail });
    const listed = (ns: number[]) => (ns.every((n) => n === ns[0]) ? `${ns[0]}` : ns.join('/'));
    const logText = listed(logged);
    return {
      figures: [
        fig('cold.crash', variants.crash, `median of ${params.repeats} restarts; the server loaded ${logText} logged updates`),
        fig('cold.warmProcess', variants.warm, `median of ${params.repeats} restarts; another board synced first`),
        fig('cold.compacted', variants.compacted, `median of ${params.repeats} graceful restarts`),
        fig('cold.defaults', variants.defaults, `median of ${params.repeats} restarts; the server loaded a snapshot and ${listed(usualLogged)} logged updates`),
      ],
      notes: [
        `Cold load: a demo board grown to ${params.activities} activities, then ${params.edits} edits (moves, every fourth a status and notes edit), ${updates} updates written over the socket by a stock client with compaction off; then SIGKILL, so the log stays as after a crash. "Default compaction": the same edits on another board with the default settings (a snapshot every COMPACT_AFTER_UPDATES updates, in the background), then SIGKILL.`,
        'Cold load, each measurement: it restarts our server with its default settings (the first connection after the restart: process and board both cold) and kills it right after, before the board unloads and compacts; the time runs from opening the socket to the stock client\'s first sync, checked to hold every activity. The reference keeps nothing across a restart, so there is no reference figure.',
      ],
    };
  } finally {
    await server.dispose();
  }
}

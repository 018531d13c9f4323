/**
 * Where one relayed update's time goes, from CPU profiles of both servers under the same closed loop
 * (1 board, 1 stock writer, 9 raw readers): judging, storing, decoding and applying, encoding,
 * sending, in µs per update. Ours: its main thread, and its SQLite worker thread (the commit, fsync included:
 * a sample taken while the thread waits in a system call counts for the function waiting). The
 * reference: applying (decoding included: one call), encoding, sending. Both profiled at a 50 µs
 * interval, which slows both alike; compare them, not with the relay figures. Then, unprofiled, the
 * same update's way through our server in wall-clock time (`updatePath`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FunctionRef, inclusiveMs, refKey } from './cpu-profile.js';
import { relayRun, type RelayScenario } from './relay.js';
import { compared, type Figure } from './results.js';
import { LIFTED_LIMITS, newDataDir, ReferenceServer, seedDemoBoards, TablaServer } from './servers.js';
import { percentile } from './stats.js';
import { STAGES, type TraceFile } from './trace-file.js';

export interface StagesParams {
  readonly changes: number;
  readonly warmup: number;
}

const ourRelay: FunctionRef = { name: 'onDocUpdate', file: 'room.js' };
const OURS: Record<string, FunctionRef> = {
  // Decoding an update frame, not a presence or sync-step one: inside the room's dispatch of updates.
  decode: { name: 'decodeMessage', file: 'messages.js' },
  judge: { name: 'judge', file: 'update-gate.js' },
  post: { name: 'appendUpdates', file: 'sqlite-thread.js' },
  // The stored updates of one write, applied in one transaction whose end relays them (onDocUpdate).
  applyStored: { name: 'applyStoredBatch', file: 'room.js' },
  relay: ourRelay,
  encode: { name: 'encodeUpdate', file: 'messages.js', within: ourRelay },
  send: { name: 'send', file: 'connection.js', within: ourRelay },
};
const WORKER: Record<string, FunctionRef> = { commit: { name: 'appendUpdates', file: 'sqlite.js' } };
const referenceRelay: FunctionRef = { name: 'updateHandler', file: 'utils.js' };
const REFERENCE: Record<string, FunctionRef> = {
  // readSyncMessage answers sync steps too; the relayed updates are what reaches the update handler.
  read: { name: 'readSyncMessage', file: 'sync.js' },
  relay: referenceRelay,
  send: { name: 'send', file: 'utils.js', within: referenceRelay },
};

const profileArgs = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50'];

/** The profile of thread `thread` (0: main) among those node wrote into `dir`. */
function profileOf(dir: string, thread: number): string {
  const file = readdirSync(dir).find((f) => f.split('.')[4] === String(thread));
  if (!file) throw new Error(`stages: no CPU profile of thread ${thread} in ${dir} (${readdirSync(dir).join(', ')})`);
  return join(dir, file);
}

function timesOf(file: string, refs: Record<string, FunctionRef>): Record<string, number> {
  const ms = inclusiveMs(file, Object.values(refs));
  return Object.fromEntries(Object.entries(refs).map(([k, f]) => [k, ms.get(refKey(f))!]));
}

/**
 * One update's way through our server, wall clock (no profiler): the closed loop of 1 board with 10
 * clients, our server traced by trace-preload.ts; each stage's p50 in µs (p99 in the detail). The
 * clients' own latency of the same run, and of the reference's run right after, frame the server's
 * share: what the reference spends on its whole round trip, ours spends on the commit and its crossing
 * to the SQLite worker.
 */
async function updatePath(scenario: RelayScenario, log: (line: string) => void): Promise<Figure[]> {
  const root = mkdtempSync(join(tmpdir(), 'tabla-path-'));
  const traceFile = join(root, 'trace.json');
  const dataDir = newDataDir();
  try {
    const pool = await seedDemoBoards(dataDir, 1, 'path');
    const preload = new URL('./trace-preload.js', import.meta.url).href;
    const ours = await TablaServer.start({ ...LIFTED_LIMITS, TABLA_TRACE_FILE: traceFile }, dataDir, [`--import=${preload}`]);
    const oursRun = await relayRun(ours, (n) => pool.splice(0, n), scenario, 0).finally(() => ours.stop('SIGTERM'));
    const reference = await ReferenceServer.start();
    const referenceRun = await relayRun(reference, () => [], scenario, 0).finally(() => reference.stop('SIGTERM'));
    const problems = [...oursRun.problems, ...referenceRun.problems];
    if (problems.length) throw new Error(`update path: ${problems.join('; ')}`);
    const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as TraceFile;
    const us = (ms: number) => Number((ms * 1000).toFixed(1));
    const p99 = (ms: readonly number[]) => `p99 ${us(percentile(ms, 99))} µs`;
    const figures: Figure[] = [
      ...STAGES.map((id): Figure => ({ id: `path.${id}`, unit: 'µs', value: us(percentile(trace[id], 50)), detail: `${p99(trace[id])}; ${trace[id].length} updates` })),
      compared('path.client', 'µs', us(percentile(oursRun.latencies, 50)), us(percentile(referenceRun.latencies, 50)), {
        detail: `${p99(oursRun.latencies)} (reference ${us(percentile(referenceRun.latencies, 99))}); ${oursRun.latencies.length} samples each`,
      }),
    ];
    log(`one update's way (p50 µs): ${figures.map((f) => `${f.id.slice('path.'.length)} ${f.value}`).join(', ')}; reference's round trip ${figures.at(-1)!.reference}`);
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function stages(params: StagesParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const scenario: RelayScenario = { id: '1x10', boards: 1, clients: 10, changes: params.changes, warmup: params.warmup, burst: 1 };
  // Every update of the run: the unmeasured first change, the warm-up, the measured ones, the burst of one.
  const updates = 1 + scenario.warmup + scenario.changes + scenario.burst;
  const root = mkdtempSync(join(tmpdir(), 'tabla-stages-'));
  const dataDir = newDataDir();
  try {
    const pool = await seedDemoBoards(dataDir, 1, 'stages');
    const ours = await TablaServer.start({ ...LIFTED_LIMITS }, dataDir, profileArgs(join(root, 'tabla')));
    const oursRun = await relayRun(ours, (n) => pool.splice(0, n), scenario, 0).finally(() => ours.stop('SIGTERM'));
    const reference = await ReferenceServer.start(profileArgs(join(root, 'reference')));
    const referenceRun = await relayRun(reference, () => [], scenario, 0).finally(() => reference.stop('SIGTERM'));
    const problems = [...oursRun.problems, ...referenceRun.problems];
    if (problems.length) throw new Error(`stages: ${problems.join('; ')}`);

    const main = timesOf(profileOf(join(root, 'tabla'), 0), OURS);
    const worker = timesOf(profileOf(join(root, 'tabla'), 1), WORKER);
    const ref = timesOf(profileOf(join(root, 'reference'), 0), REFERENCE);
    const perUpdate = (ms: number) => Number(((ms * 1000) / updates).toFixed(1));
    const figure = (id: string, ours: number, reference?: number): Figure => ({
      id: `stages.${id}`,
      unit: 'µs',
      value: perUpdate(ours),
      ...(reference === undefined ? {} : { reference: perUpdate(reference), ratio: reference > 0 ? Number((ours / reference).toFixed(3)) : null }),
      detail: `${updates} updates, 9 readers each`,
    });
    const figures = [
      figure('judging', main.judge!),
      figure('storingMain', main.post!),
      figure('storingCommit', worker.commit!),
      figure('decodingApplying', main.decode! + main.applyStored! - main.relay!, ref.read! - ref.relay!),
      figure('encoding', main.encode!, ref.relay! - ref.send!),
      figure('sending', main.send!, ref.send!),
    ];
    log(`stages (µs per update): ${figures.map((f) => `${f.id.slice('stages.'.length)} ${f.value}${f.reference === undefined ? '' : ` (reference ${f.reference})`}`).join(', ')}`);
    const path = await updatePath(scenario, log);
    return {
      figures: [...figures, ...path],
      notes: [
        `One update's way through our server: the same closed loop (${params.warmup} + ${params.changes} changes), unprofiled, our server traced through its trace points (@tabla/sync-server/trace, heard by bench trace-preload.ts); per relayed update, wall clock: judging (the update decoded to accepted), waiting (accepted to its write handed to storage: the writer's turn), crossing (to the SQLite worker thread and back, with the main thread's wait to handle the answer: the write's time less its transaction's), the commit (the transaction, BEGIN to COMMIT with synchronous=FULL, fsync included, timed on the worker), relaying (stored to sent to 9 readers: applying, encoding, sending), and the server's whole share (the update decoded to sent). "Clients" is the latency the relay figures measure (the writer's change to a reader's receipt), ours in this run and the reference's in a run right after: the reference's whole round trip against ours.`,
        `Where the time goes: both servers (ours with its limits lifted) under the closed loop of 1 board with 10 clients (${params.warmup} + ${params.changes} changes), each profiled (node --cpu-prof, 50 µs interval); the time inside the functions of each stage, divided by the ${updates} updates. Ours: judging (UpdateGate.judge), storing on the main thread (handing the batch to the SQLite worker) and in the worker (the transaction and its commit with synchronous=FULL, waiting for the disk included), decoding and applying (decodeMessage, and Y.applyUpdate to the room's document with its watchers, encoding and sending excluded), encoding (the frame), sending (ws send to 9 readers). The reference: decoding and applying (readSyncMessage with Y.applyUpdate), encoding (its update handler, sending excluded), sending.`,
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

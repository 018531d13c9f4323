/**
 * The server benchmarks: relay (ours against the reference, alternating), where the time goes
 * (both servers profiled), cold load, memory,
 * slow disk, bad frames and the sync core's attacks. Writes the parts `server` and `attacks`
 * to the results folder (results.ts) for the report.
 *
 *   npm run bench -w @tabla/bench                       (full: several minutes)
 *   BENCH_MODE=smoke npm run bench -w @tabla/bench      (or --smoke: every figure, small, seconds)
 *   node dist/run.js --smoke relay cold                 (only some sections)
 *   BENCH_ROUNDS=4                                      (relay runs per server, full mode; default 3)
 *   BENCH_RELAY=1x10,300x3                              (only these relay scenarios)
 *   BENCH_SERVER_NODE_ARGS='--cpu-prof'                 (extra node flags for both server processes)
 */
import { attacks } from './attacks.js';
import { coldLoad, type ColdLoadParams } from './cold-load.js';
import { flood } from './flood.js';
import { memory, type MemoryParams } from './memory.js';
import { relay, type RelayScenario } from './relay.js';
import { scaleOut, type ScaleOutParams } from './scale-out.js';
import { stages, type StagesParams } from './stages.js';
import { benchMode, type Figure, type Mode, writePart } from './results.js';
import { LIFTED_LIMITS, newDataDir, NO_REFUSAL_BACKOFF, ReferenceServer, seedDemoBoards, TablaServer } from './servers.js';
import { slowDisk, type SlowDiskParams } from './slow-disk.js';

interface Params {
  readonly relay: readonly RelayScenario[];
  readonly rounds: number;
  /** Between relay runs. */
  readonly pauseMs: number;
  readonly cold: ColdLoadParams;
  readonly memory: MemoryParams;
  readonly slowDisk: SlowDiskParams;
  readonly scaleOut: ScaleOutParams;
  readonly stages: StagesParams;
  readonly flood: number;
  /** Attack ids of attacks.bench.ts; empty: all. */
  readonly attacks: readonly string[];
}

const PARAMS: Record<Mode, Params> = {
  full: {
    relay: [
      { id: '1x10', boards: 1, clients: 10, changes: 300, warmup: 30, burst: 2000 },
      { id: '1x50', boards: 1, clients: 50, changes: 200, warmup: 20, burst: 1000 },
      { id: '1x200', boards: 1, clients: 200, changes: 100, warmup: 10, burst: 400 },
      { id: '300x3', boards: 300, clients: 3, changes: 8, warmup: 2, periodMs: 1000, burst: 10 },
    ],
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    pauseMs: 1_500,
    cold: { activities: 200, edits: 10_000, repeats: 5 },
    memory: { demoBoards: [100, 1000], largeActivities: 2000, settleMs: 1_000, samples: 5 },
    // 4 rounds of 250: a p99 of 2,000 samples per phase, not of 400 (one slow tick moved it by 30%).
    slowDisk: { changes: 250, rounds: 4, delayMs: 50, periodA: 100 },
    scaleOut: { rounds: 3, changes: 200, burst: 500, readers: 5, coldEdits: 10_000 },
    stages: { changes: 2000, warmup: 100 },
    flood: 2000,
    attacks: [],
  },
  smoke: {
    relay: [
      { id: '1x10', boards: 1, clients: 10, changes: 20, warmup: 5, burst: 100 },
      { id: '1x50', boards: 1, clients: 50, changes: 10, warmup: 3, burst: 50 },
      { id: '1x200', boards: 1, clients: 200, changes: 5, warmup: 2, burst: 20 },
      { id: '300x3', boards: 20, clients: 3, changes: 2, warmup: 1, periodMs: 300, burst: 3 },
    ],
    rounds: 1,
    pauseMs: 300,
    cold: { activities: 200, edits: 1_000, repeats: 1 },
    memory: { demoBoards: [10, 50], largeActivities: 200, settleMs: 200, samples: 3 },
    slowDisk: { changes: 15, rounds: 1, delayMs: 50, periodA: 100 },
    scaleOut: { rounds: 1, changes: 20, burst: 50, readers: 3, coldEdits: 300 },
    stages: { changes: 50, warmup: 10 },
    flood: 100,
    attacks: ['d1'],
  },
};

const SECTIONS = ['relay', 'stages', 'cold', 'memory', 'slow', 'scaleout', 'flood', 'attacks'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  const mode = benchMode();
  const only = process.env.BENCH_RELAY?.split(',').filter(Boolean);
  const params = only ? { ...PARAMS[mode], relay: PARAMS[mode].relay.filter((s) => only.includes(s.id)) } : PARAMS[mode];
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  for (const w of wanted) if (!SECTIONS.includes(w as Section)) throw new Error(`unknown section "${w}": one of ${SECTIONS.join(', ')}`);
  const runs = (s: Section) => wanted.length === 0 || wanted.includes(s);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Every stock provider listens for the process's exit.
  process.setMaxListeners(0);
  const startedAt = new Date().toISOString();
  const figures: Figure[] = [];
  const notes: string[] = [];
  const save = () => writePart({ bench: 'server', title: 'Server', mode, startedAt, finishedAt: new Date().toISOString(), params: { ...params, attacks: undefined }, figures, notes });
  let sectionStart = performance.now();
  const add = (r: { figures: Figure[]; notes: string[] }) => {
    figures.push(...r.figures);
    notes.push(...r.notes);
    log(`  (${((performance.now() - sectionStart) / 1000).toFixed(1)} s)`);
    sectionStart = performance.now();
    save(); // what is measured so far survives a later section's failure
  };
  let failed = false;
  /** A section that fails is reported (its figures then show as missing) and the others still run. */
  const section = async (name: string, note: string, measure: () => Promise<{ figures: Figure[]; notes: string[] }>) => {
    try {
      add(await measure());
    } catch (err) {
      failed = true;
      log(`${name} FAILED: ${String((err as Error)?.stack ?? err)}`);
      add({ figures: [], notes: [`${note}: FAILED in this run: ${String((err as Error)?.message ?? err)}`] });
    }
  };
  log(`Tabla server benchmarks (${mode})`);

  if (runs('relay') || runs('flood')) {
    const dir = newDataDir();
    const pool = await seedDemoBoards(dir, params.relay[0]!.boards + params.rounds * params.relay.reduce((n, s) => n + s.boards, 0), 'relay');
    const supply = (n: number) => {
      if (pool.length < n) throw new Error('relay: out of seeded boards');
      return pool.splice(0, n);
    };
    // The refusal backoff is lifted too, for the bad frames (each refused connection would make the next wait).
    const ours = await TablaServer.start({ ...LIFTED_LIMITS, ...NO_REFUSAL_BACKOFF }, dir);
    const reference = await ReferenceServer.start();
    try {
      if (runs('relay')) await section('relay', 'Relay', () => relay(ours, supply, reference, params.relay, params, log));
      if (runs('flood')) await section('bad frames', 'Bad frames', () => flood(ours, params.flood, log));
    } finally {
      await reference.stop();
      await ours.dispose();
    }
    notes.unshift(
      `Relay: our built server (apps/server/dist/main.js, SQLite with synchronous=FULL, every update judged and stored before relay, default COMPACT_AFTER_UPDATES) and the reference, @y/websocket-server 0.1.1 in memory (reference-server.ts, the same ws 8), each a child process on 127.0.0.1; the clients share this process. Per board one stock y-websocket writer (WebsocketProvider, editor link) and raw readers (viewer link) that timestamp the writer's changes as their update frames bring them (each frame's clock for the writer, read with Y.parseUpdateMeta: ours relays the changes stored in one write as one frame per sender, the reference one frame per change; both are read alike). Writers change a demo board with plan-model operations only (moves across lanes, every fourth a status and notes edit: schema v1). Runs alternate ours, reference (A B A B ...), ${params.rounds} per server per scenario, each on fresh boards, ${params.pauseMs} ms apart, after one unmeasured warm-up run each; p50 and p99 pool every run's samples; the "runs" column gives each round's ratio.`,
      `Relay latency on one board: one change at a time, the next once every reader has it. On many boards (300x3): each writer changes its board once per ${params.relay.find((s) => s.periodMs)?.periodMs ?? '-'} ms, the boards staggered over the period. Burst: every writer makes its changes back to back; updates/s = changes / time until every reader has all of them.`,
      `Relay limits: our server's per-connection and per-address limits are lifted through their documented settings (README "Security and limits"): ${Object.entries(LIFTED_LIMITS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}; for the bad frames measured on the same process afterwards, also ${Object.keys(NO_REFUSAL_BACKOFF).join(', ')}=1000000. Everything judged per update stays on. Our boards are demo boards written into its SQLite database before it starts (as POST /api/boards makes them, without a commit each).`,
    );
  }
  if (runs('stages')) await section('stages', 'Where the time goes', () => stages(params.stages, log));
  if (runs('cold')) await section('cold load', 'Cold load', () => coldLoad(params.cold, log));
  if (runs('memory')) await section('memory', 'Memory', () => memory(params.memory, log));
  if (runs('slow')) await section('slow disk', 'Slow disk', () => slowDisk(params.slowDisk, log));
  if (runs('scaleout')) await section('scale-out', 'Scale-out', () => scaleOut(params.scaleOut, log));
  log(`wrote ${save()}`);

  if (runs('attacks')) {
    const attackStarted = new Date().toISOString();
    let r: { figures: Figure[]; notes: string[] };
    try {
      r = await attacks(params.attacks, log);
    } catch (err) {
      failed = true;
      r = { figures: [], notes: [`Attacks: FAILED in this run: ${String((err as Error)?.message ?? err)}`] };
    }
    const out = writePart({ bench: 'attacks', title: 'Attacks on the sync core', mode, startedAt: attackStarted, finishedAt: new Date().toISOString(), params: { attacks: params.attacks.length ? params.attacks : 'all' }, ...r });
    log(`wrote ${out}`);
  }
  if (failed) throw new Error('some sections failed (above); what they measured is missing from the report');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);

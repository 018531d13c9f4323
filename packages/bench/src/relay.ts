/**
 * Relay: one stock writer and raw readers per board, over real sockets, against our server and
 * the reference, alternating runs (A B A B ...). Per run, on fresh boards:
 * - latency: on one board, the writer makes one change at a time and the next once every reader
 *   has it (closed loop); on many boards, every writer changes its board once per period,
 *   staggered (open loop). Latency: from the change to a reader's receipt of its frame, one
 *   sample per reader and change;
 * - burst: every writer makes `burst` changes back to back; throughput is the changes made,
 *   divided by the time until every reader has all of them.
 */
import * as Y from 'yjs';
import { seedDemoBoard } from '@tabla/plan-model';
import { activityIds, allReached, change, connectWriter, CountingReader, type Writer } from './clients.js';
import { compared, type Figure } from './results.js';
import type { BenchServer, Board } from './servers.js';
import { finite, inBatches, median, percentile, sleep } from './stats.js';

export interface RelayScenario {
  /** `1x10`: 1 board x 10 clients; `300x3`: 300 boards x 3 clients. */
  readonly id: string;
  readonly boards: number;
  /** Clients per board: one writer, the rest readers. */
  readonly clients: number;
  /** Changes per board measured for latency (after `warmup` unmeasured ones). */
  readonly changes: number;
  readonly warmup: number;
  /** Open loop (many boards): each writer changes its board once per this many ms. */
  readonly periodMs?: number;
  /** Changes per writer in the burst. */
  readonly burst: number;
}

interface Run {
  readonly latencies: number[];
  /** Changes relayed per second in the burst; null if some never arrived. */
  readonly burstPerSecond: number | null;
  readonly problems: string[];
}

interface BoardClients {
  readonly writer: Writer;
  readonly readers: CountingReader[];
}

const TIMEOUT_MS = 60_000;

/** Demo boards stored on our server before it started (seedDemoBoards), each used by one run only. */
export type BoardSupply = (count: number) => Board[];

/** Fresh boards with their clients: on ours taken from `supply`; on the reference seeded by the writer (it starts empty). */
async function connectBoards(server: BenchServer, supply: BoardSupply, scenario: RelayScenario, run: number): Promise<BoardClients[]> {
  const boards =
    server.name === 'tabla'
      ? supply(scenario.boards).map((board) => ({ id: board.id, writerToken: board.tokens.editor, readerToken: board.tokens.viewer, seed: undefined }))
      : Array.from({ length: scenario.boards }, (_, b) => ({ id: `relay-${scenario.id}-${run}-${b}`, writerToken: 'none', readerToken: 'none', seed: (doc: Y.Doc) => seedDemoBoard(doc) }));
  const writers = await inBatches(boards.length, 50, (b) => connectWriter(server.wsUrl, boards[b]!.id, boards[b]!.writerToken, boards[b]!.seed));
  const readers = await inBatches(boards.length * (scenario.clients - 1), 100, (i) => {
    const board = boards[Math.floor(i / (scenario.clients - 1))]!;
    return connectReaderWithBoard(server, board.id, board.readerToken);
  });
  return writers.map((writer, b) => {
    const own = readers.slice(b * (scenario.clients - 1), (b + 1) * (scenario.clients - 1));
    for (const r of own) r.follow(writer.doc); // changes, however many a frame holds
    return { writer, readers: own };
  });
}

/** A reader, once the server holds the board's activities (the reference gets them from the writer a moment after it syncs). */
async function connectReaderWithBoard(server: BenchServer, boardId: string, token: string): Promise<CountingReader> {
  for (let attempt = 0; ; attempt++) {
    const reader = await CountingReader.connect(server.wsUrl, boardId, token, true);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, reader.state!);
    const activities = activityIds(doc).length;
    doc.destroy();
    reader.state = null;
    if (activities > 0) return reader;
    reader.close();
    if (attempt === 50) throw new Error(`board ${boardId} on ${server.name} has no activities`);
    await sleep(20);
  }
}

async function closedLoop(board: BoardClients, scenario: RelayScenario, latencies: number[], problems: string[]): Promise<void> {
  const ids = activityIds(board.writer.doc);
  for (let i = 0; i < scenario.warmup + scenario.changes; i++) {
    const targets = board.readers.map((r) => r.count + 1);
    const arrived = allReached(board.readers, (r) => r.count + 1, TIMEOUT_MS);
    const sent = performance.now();
    change(board.writer.doc, ids, i);
    if (!(await arrived)) {
      problems.push(`change ${i} did not reach every reader in ${TIMEOUT_MS / 1000} s`);
      return;
    }
    if (i >= scenario.warmup) board.readers.forEach((r, j) => latencies.push(r.arrivals[targets[j]! - 1]! - sent));
  }
}

async function openLoop(boards: readonly BoardClients[], scenario: RelayScenario, latencies: number[], problems: string[]): Promise<void> {
  const period = scenario.periodMs!;
  const total = scenario.warmup + scenario.changes;
  const ids = boards.map((b) => activityIds(b.writer.doc));
  const base = boards.map((b) => b.readers.map((r) => r.count));
  const sent = boards.map(() => [] as number[]);
  const start = performance.now() + 20;
  // Board b's k-th change is due at start + k * period + b * period / boards.
  const due = (b: number, k: number) => start + k * period + (b * period) / boards.length;
  const next = boards.map(() => 0);
  let left = boards.length * total;
  while (left > 0) {
    const now = performance.now();
    let soonest = Infinity;
    boards.forEach((board, b) => {
      while (next[b]! < total && due(b, next[b]!) <= now) {
        sent[b]!.push(performance.now());
        change(board.writer.doc, ids[b]!, next[b]!);
        next[b]!++;
        left--;
      }
      if (next[b]! < total) soonest = Math.min(soonest, due(b, next[b]!));
    });
    if (left > 0) await sleep(Math.max(0, Math.min(5, soonest - performance.now())));
  }
  const target = new Map<CountingReader, number>();
  boards.forEach((board, b) => board.readers.forEach((r, j) => target.set(r, base[b]![j]! + total)));
  if (!(await allReached([...target.keys()], (r) => target.get(r)!, TIMEOUT_MS))) {
    problems.push(`not every change reached every reader in ${TIMEOUT_MS / 1000} s`);
    return;
  }
  boards.forEach((board, b) =>
    board.readers.forEach((r, j) => {
      for (let k = scenario.warmup; k < total; k++) latencies.push(r.arrivals[base[b]![j]! + k]! - sent[b]![k]!);
    }),
  );
}

async function burst(boards: readonly BoardClients[], scenario: RelayScenario, problems: string[]): Promise<number | null> {
  const ids = boards.map((b) => activityIds(b.writer.doc));
  const readers = boards.flatMap((b) => b.readers);
  const targets = new Map(readers.map((r) => [r, r.count + scenario.burst]));
  const arrived = allReached(readers, (r) => targets.get(r)!, TIMEOUT_MS);
  const started = performance.now();
  for (let k = 0; k < scenario.burst; k++) boards.forEach((board, b) => change(board.writer.doc, ids[b]!, 1000 + k));
  if (!(await arrived)) {
    problems.push(`burst: not every change reached every reader in ${TIMEOUT_MS / 1000} s`);
    return null;
  }
  const last = Math.max(...readers.map((r) => r.arrivals[targets.get(r)! - 1]!));
  return ((boards.length * scenario.burst) / (last - started)) * 1000;
}

export async function relayRun(server: BenchServer, supply: BoardSupply, scenario: RelayScenario, run: number): Promise<Run> {
  const boards = await connectBoards(server, supply, scenario, run);
  const latencies: number[] = [];
  const problems: string[] = [];
  try {
    // Unmeasured: every writer changes its board once and every reader gets it, so what connecting
    // left to do (e.g. our server storing each writer's presence binding) is done before measuring.
    const ready = allReached(
      boards.flatMap((b) => b.readers),
      (r) => r.count + 1,
      TIMEOUT_MS,
    );
    boards.forEach((b) => change(b.writer.doc, activityIds(b.writer.doc), 999));
    if (!(await ready)) problems.push('the first change did not reach every reader');
    await sleep(200);
    if (problems.length) return { latencies, burstPerSecond: null, problems };
    if (scenario.boards === 1) await closedLoop(boards[0]!, scenario, latencies, problems);
    else await openLoop(boards, scenario, latencies, problems);
    await sleep(200);
    const perSecond = problems.length ? null : await burst(boards, scenario, problems);
    const closes = boards.flatMap((b) => [...b.writer.closes.map((c) => c.code), ...b.readers.flatMap((r) => (r.closed ? [r.closed.code] : []))]);
    if (closes.length) problems.push(`connections closed during the run: ${[...new Set(closes)].join(', ')}`);
    return { latencies, burstPerSecond: perSecond, problems };
  } finally {
    for (const b of boards) {
      b.writer.destroy();
      b.readers.forEach((r) => r.close());
    }
  }
}

export interface RelayResult {
  readonly figures: Figure[];
  readonly notes: string[];
}

/**
 * Every scenario, `rounds` times each, ours then the reference's (A B A B ...), with a pause
 * between runs (`pauseMs`; from 1 s on, our server has unloaded and compacted the last run's boards).
 */
export async function relay(
  ours: BenchServer,
  supply: BoardSupply,
  reference: BenchServer,
  scenarios: readonly RelayScenario[],
  { rounds, pauseMs }: { rounds: number; pauseMs: number },
  log: (line: string) => void,
): Promise<RelayResult> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  // Warm both processes up (JIT, first connections), unmeasured.
  const warm = scenarios[0]!;
  for (const server of [ours, reference]) await relayRun(server, supply, warm, -1);
  for (const scenario of scenarios) {
    const runs: Record<'tabla' | 'reference', Run[]> = { tabla: [], reference: [] };
    for (let round = 0; round < rounds; round++) {
      for (const server of [ours, reference]) {
        await sleep(pauseMs);
        const r = await relayRun(server, supply, scenario, round);
        runs[server.name].push(r);
        log(
          `relay ${scenario.id} round ${round + 1} ${server.name.padEnd(9)} p50 ${percentile(r.latencies, 50).toFixed(2)} ms  p99 ${percentile(r.latencies, 99).toFixed(2)} ms  burst ${r.burstPerSecond?.toFixed(0) ?? '-'} /s${r.problems.length ? `  PROBLEMS: ${r.problems.join('; ')}` : ''}`,
        );
        for (const p of r.problems) notes.push(`relay ${scenario.id}, round ${round + 1}, ${server.name}: ${p}`);
      }
    }
    const pooled = (name: 'tabla' | 'reference') => runs[name].flatMap((r) => r.latencies);
    const ratioPerRound = (f: (r: Run) => number | null) =>
      runs.tabla.map((r, i) => {
        const a = f(r);
        const b = f(runs.reference[i]!);
        return a !== null && b !== null && b !== 0 ? Number((a / b).toFixed(3)) : NaN;
      });
    const samples = `${pooled('tabla').length} samples each (${rounds} runs per server)`;
    for (const p of [50, 99]) {
      figures.push(
        compared(`relay.${scenario.id}.p${p}`, 'ms', finite(percentile(pooled('tabla'), p)), finite(percentile(pooled('reference'), p)), {
          runs: ratioPerRound((r) => finite(percentile(r.latencies, p))),
          detail: samples,
        }),
      );
    }
    const bursts = (name: 'tabla' | 'reference') => runs[name].map((r) => r.burstPerSecond).filter((x): x is number => x !== null);
    figures.push(
      compared(`relay.${scenario.id}.burst`, 'updates/s', finite(median(bursts('tabla'))), finite(median(bursts('reference'))), {
        runs: ratioPerRound((r) => r.burstPerSecond),
        detail: `median of ${rounds} runs; ${scenario.boards * scenario.burst} changes`,
      }),
    );
  }
  return { figures, notes };
}

/**
 * Every figure the benches report, with its title and its target (RELIABILITY.md "Targets" and
 * the issue "Measured speed, side by side with the reference server"). The report prints each
 * figure beside its target and flags the ones it expects but did not get.
 */

export interface Target {
  /** The figure's own value, or its ratio to the reference measured in the same run. */
  readonly on: 'value' | 'ratio';
  readonly op: '<=' | '>=' | '=';
  readonly bound: number;
  readonly text: string;
}

export interface FigureSpec {
  readonly id: string;
  readonly section: string;
  readonly title: string;
  /** null: no target set (then `note` says so, and why the figure is shown). */
  readonly target: Target | null;
  readonly note?: string;
}

export const SECTIONS = [
  'Relay, ours against the reference',
  'Where the time goes: µs per relayed update, profiled',
  "One update's way through our server: wall clock, µs",
  'Cold load', 'Memory', 'Slow disk', 'Scale-out: two instances over PostgreSQL and Redis', 'Bad frames', 'Attacks on the sync core',
  'Board UI in Chromium',
] as const;

const [RELAY, STAGES, PATH, COLD, MEMORY, SLOW, SCALE_OUT, FLOOD, ATTACKS, UI] = SECTIONS;

const noWorse = (what: string): Target => ({ on: 'ratio', op: '<=', bound: 1, text: `ratio ≤ 1.0 (${what} no worse than the reference)` });
const FRAME = 1000 / 60;
/**
 * Within one 60 Hz frame. Frame times are requestAnimationFrame intervals, which come in whole
 * frames give or take the clock's jitter (16.6-16.9 ms for a frame that made its vsync, 33.3 for
 * one missed): any bound between one and two frames tells the same, half-way is the one that
 * jitter cannot tip.
 */
const oneFrame: Target = { on: 'value', op: '<=', bound: FRAME * 1.5, text: '≤ 16.7 ms: one 60 Hz frame, no frame missed (an interval under 25 ms)' };

function relaySpecs(id: string, label: string, targeted: boolean): FigureSpec[] {
  const none = { target: null, note: 'none set (the targets name 10, 50 and 200 clients on one board); ratio shown' };
  return [
    { id: `relay.${id}.p50`, section: RELAY, title: `${label}: p50 latency`, ...(targeted ? { target: noWorse('p50') } : none) },
    { id: `relay.${id}.p99`, section: RELAY, title: `${label}: p99 latency`, ...(targeted ? { target: noWorse('p99') } : none) },
    {
      id: `relay.${id}.burst`,
      section: RELAY,
      title: `${label}: burst throughput`,
      ...(targeted ? { target: { on: 'ratio', op: '>=', bound: 1, text: 'ratio ≥ 1.0 (with durable writes, the reference stores nothing)' } as Target } : none),
    },
  ];
}

export const FIGURES: readonly FigureSpec[] = [
  ...relaySpecs('1x10', '1 board × 10 clients', true),
  ...relaySpecs('1x50', '1 board × 50 clients', true),
  ...relaySpecs('1x200', '1 board × 200 clients', true),
  ...relaySpecs('300x3', '300 boards × 3 clients', false),
  ...(
    [
      ['judging', 'judging (the update gate: shape, ranges, budgets, the shadow, the write policy)'],
      ['storingMain', 'storing, main thread (handing the batch to the SQLite worker)'],
      ['storingCommit', 'storing, the SQLite worker (the transaction and its fsync)'],
      ['decodingApplying', 'decoding and applying to the document'],
      ['encoding', 'encoding the frame'],
      ['sending', 'sending to 9 readers'],
    ] as const
  ).map(([id, title]): FigureSpec => ({ id: `stages.${id}`, section: STAGES, title, target: null, note: 'none set: where the time goes (the targets are the relay figures)' })),
  ...(
    [
      ['judging', 'judging: the update decoded to accepted'],
      ['waiting', "waiting for the writer's turn: accepted to handed to storage"],
      ['crossing', "crossing to the SQLite worker thread and back (the main thread's wait for the answer included)"],
      ['commit', 'the commit on the worker: the transaction, BEGIN to COMMIT (synchronous=FULL, fsync included)'],
      ['relaying', 'relaying: stored to sent to 9 readers (applying, encoding, sending)'],
      ['server', "the server's whole share: the update decoded to sent"],
      ['client', "clients: the writer's change to a reader's receipt (the relay figures' latency)"],
    ] as const
  ).map(([id, title]): FigureSpec => ({ id: `path.${id}`, section: PATH, title, target: null, note: 'none set: p50, where the latency goes (the targets are the relay figures)' })),
  { id: 'cold.crash', section: COLD, title: '200 activities, 10,000 logged edits, restarted after a crash: fresh client synced', target: { on: 'value', op: '<=', bound: 100, text: '≤ 100 ms' } },
  { id: 'cold.warmProcess', section: COLD, title: 'the same, the process already warm (another board served first)', target: { on: 'value', op: '<=', bound: 100, text: '≤ 100 ms' } },
  { id: 'cold.compacted', section: COLD, title: 'the same board after a graceful restart (log compacted)', target: { on: 'value', op: '<=', bound: 100, text: '≤ 100 ms' } },
  { id: 'cold.defaults', section: COLD, title: 'the same 10,000 edits written with the default compaction, restarted after a crash: fresh client synced', target: { on: 'value', op: '<=', bound: 100, text: '≤ 100 ms' } },
  { id: 'memory.demo100', section: MEMORY, title: 'resident memory per loaded demo board, 100 loaded', target: { on: 'value', op: '<=', bound: 0.5, text: '≤ 0.5 MB' } },
  { id: 'memory.demo1000', section: MEMORY, title: 'resident memory per loaded demo board, 1,000 loaded', target: { on: 'value', op: '<=', bound: 0.5, text: '≤ 0.5 MB' } },
  { id: 'memory.large', section: MEMORY, title: 'resident memory of one board of 2,000 full activities', target: null, note: 'none set (bounded by MAX_DOCUMENT_ITEMS whatever the content)' },
  { id: 'slowDisk.p50', section: SLOW, title: "board B's p50 relay latency while board A's writes take 50 ms (reference: B without A's delay)", target: { on: 'ratio', op: '<=', bound: 1, text: "ratio ≤ 1.0 (A's slow disk does not hold up B)" } },
  { id: 'slowDisk.p99', section: SLOW, title: "board B's p99 relay latency while board A's writes take 50 ms (reference: B without A's delay)", target: { on: 'ratio', op: '<=', bound: 1, text: "ratio ≤ 1.0 (A's slow disk does not hold up B)" } },
  { id: 'scaleOut.p50', section: SCALE_OUT, title: 'p50 relay latency, writer and readers on two instances (reference: one instance)', target: null, note: 'none set (the price of the second instance: one PostgreSQL commit, one XADD, one XREAD); ratio shown' },
  { id: 'scaleOut.p99', section: SCALE_OUT, title: 'p99 relay latency, writer and readers on two instances (reference: one instance)', target: null, note: 'none set; ratio shown' },
  { id: 'scaleOut.burst', section: SCALE_OUT, title: 'burst throughput, writer and readers on two instances (reference: one instance)', target: null, note: 'none set; ratio shown' },
  { id: 'scaleOut.cold', section: SCALE_OUT, title: 'cold load of 10,000 logged edits from PostgreSQL: fresh client synced', target: { on: 'value', op: '<=', bound: 100, text: '≤ 100 ms' } },
  { id: 'flood.survived', section: FLOOD, title: 'hostile frames on 2,000 connections: server up, board unchanged (1 = yes)', target: { on: 'value', op: '=', bound: 1, text: 'all survived' } },
  { id: 'flood.rssGrowth', section: FLOOD, title: 'RSS growth over the 2,000 hostile connections', target: { on: 'value', op: '<=', bound: 200, text: '< 200 MB' } },
  { id: 'ui.firstLoad', section: UI, title: '300 activities over 6 lanes: first load until interactive, 1.6 Mbit/s and 150 ms round trip (venue Wi-Fi)', target: { on: 'value', op: '<=', bound: 3000, text: '≤ 3 s' } },
  { id: 'ui.offlineLoad', section: UI, title: 'second visit with the network off: board shown from the device', target: null, note: 'none set' },
  { id: 'ui.initialJs', section: UI, title: 'initial JavaScript, gzipped (entry and its preloads)', target: { on: 'value', op: '<=', bound: 200, text: '≤ 200 KB (e2e first-load budget)' } },
  { id: 'ui.drag.p95', section: UI, title: 'frame time p95, a mouse drag across lanes', target: oneFrame },
  { id: 'ui.dragWhileOthersMove.p95', section: UI, title: 'frame time p95, a drag across lanes while another coordinator moves 5 cards/s', target: oneFrame },
  { id: 'ui.remoteMoves.p95', section: UI, title: 'frame time p95, no drag, remote moves at ~60/s', target: null, note: 'none set (the drag target is 16.7 ms)' },
  { id: 'ui.voteDrag.p95', section: UI, title: 'frame time p95, a drag while a board-wide vote is open and another municipality gives 5 dots/s', target: oneFrame },
];

/** The attack bench's figures: `attacks.<attack id>.<what>`, one set per attack it ran. */
const ATTACK_FIGURES: Readonly<Record<string, Omit<FigureSpec, 'id' | 'section'>>> = {
  blocked: { title: 'longest event-loop block during the attempt', target: { on: 'value', op: '<=', bound: 50, text: '< 50 ms' } },
  heap: { title: 'heap growth after gc', target: { on: 'value', op: '<=', bound: 10, text: '< 10 MB' } },
  honest: { title: "another board's honest moves, p50 (reference: the same before the attempt)", target: null, note: "unchanged (RELIABILITY names p95; judge the ratio against the no-attack run '0')" },
};

/** The spec of a figure id, or null for one the catalogue does not know. */
export function specOf(id: string): FigureSpec | null {
  const known = FIGURES.find((f) => f.id === id);
  if (known) return known;
  const m = /^attacks\.([^.]+)\.(blocked|heap|honest)$/.exec(id);
  if (!m) return null;
  return { id, section: ATTACKS, ...ATTACK_FIGURES[m[2]!]!, title: `attack ${m[1]}: ${ATTACK_FIGURES[m[2]!]!.title}` };
}

/** Whether a figure meets its target; null when it has none or no number to judge. */
export function meets(target: Target | null, value: number | null, ratio: number | null | undefined): boolean | null {
  if (!target) return null;
  const x = target.on === 'value' ? value : (ratio ?? null);
  if (x === null) return null;
  if (target.op === '<=') return x <= target.bound;
  if (target.op === '>=') return x >= target.bound;
  return x === target.bound;
}

/** The figure ids every full or smoke run must produce (attack figures: at least one attack, each with all three). */
export function missingFigures(ids: readonly string[]): string[] {
  const have = new Set(ids);
  const missing = FIGURES.map((f) => f.id).filter((id) => !have.has(id));
  const attacks = new Set(ids.filter((id) => id.startsWith('attacks.')).map((id) => id.split('.')[1]!));
  if (attacks.size === 0) missing.push('attacks.*');
  for (const a of attacks) for (const what of Object.keys(ATTACK_FIGURES)) if (!have.has(`attacks.${a}.${what}`)) missing.push(`attacks.${a}.${what}`);
  return missing;
}

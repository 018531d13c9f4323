/**
 * The scale-out figures (packages/sync-server/src/bench/crossinstance.bench.ts: one instance over
 * PostgreSQL against two instances sharing the board through PostgreSQL and Redis Streams, in
 * alternating rounds, and a cold load of 10,000 logged edits from PostgreSQL), run from here so they
 * reach the report as `scaleOut.*`. Needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL,
 * the local ones by default): where they do not answer, the figures are reported as not measured and
 * say why, unless REQUIRE_SERVICES names them (as .ci/run does once they answer): then it fails.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Figure } from './results.js';

export interface ScaleOutParams {
  readonly rounds: number;
  readonly changes: number;
  readonly burst: number;
  readonly readers: number;
  readonly coldEdits: number;
}

interface Relay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly burstUpdatesPerSecond: number;
}

interface CrossInstanceResult {
  readonly oneInstance: Relay;
  readonly twoInstances: Relay;
  readonly rounds: { readonly one: readonly Relay[]; readonly two: readonly Relay[] };
  readonly coldLoad: { readonly edits: number; readonly ms: number };
}

// Beside the package's entry (dist/index.js): dist/bench/crossinstance.bench.js.
const crossInstanceMain = join(dirname(createRequire(import.meta.url).resolve('@tabla/sync-server')), 'bench', 'crossinstance.bench.js');

const servicesRequired = (): boolean => /\b(postgres|redis)\b/i.test(process.env.REQUIRE_SERVICES ?? '');
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|connect(ion)? (refused|timeout)|Connection terminated/i;

export async function scaleOut(params: ScaleOutParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const env = {
    ...process.env,
    BENCH_ROUNDS: String(params.rounds),
    BENCH_CHANGES: String(params.changes),
    BENCH_BURST: String(params.burst),
    BENCH_READERS: String(params.readers),
    BENCH_COLD_EDITS: String(params.coldEdits),
  };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [crossInstanceMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const note = `Scale-out: crossinstance.bench.ts, the sync core in the bench's child process over PostgreSQL (every update committed before relay); "ours" is two instances (the writer on one, ${params.readers} readers on the other, the board shared through PostgreSQL and Redis Streams: committed, XADDed, read by the other instance's one XREAD and relayed), the reference column one instance with the writer and readers on it; ${params.rounds} alternating round(s) (the order flips each round), each figure the median of its rounds, ${params.changes} closed-loop changes and a burst of ${params.burst} per round. Cold load: ${params.coldEdits} logged edits in PostgreSQL, a fresh client on an instance that had not loaded the board.`;
  if (code !== 0) {
    if (!servicesRequired() && UNREACHABLE.test(stderr)) {
      const why = `not measured: PostgreSQL or Redis did not answer (${stderr.split('\n').find((l) => UNREACHABLE.test(l))?.trim().slice(0, 160) ?? 'unreachable'})`;
      log(`scale-out: ${why}`);
      return { figures: SCALE_OUT_IDS.map((id) => ({ id, value: null, unit: id === 'scaleOut.burst' ? 'updates/s' : 'ms', detail: why })), notes: [note] };
    }
    throw new Error(`crossinstance bench exited ${code}: ${stderr.slice(-2000)}`);
  }
  const r = JSON.parse(stdout) as CrossInstanceResult;
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  const detail = `median of ${r.rounds.two.length} round(s); ${params.readers} readers`;
  const relay = (key: keyof Relay, id: string, unit: string): Figure => ({
    id,
    unit,
    value: r.twoInstances[key],
    reference: r.oneInstance[key],
    ratio: ratio(r.twoInstances[key], r.oneInstance[key]),
    runs: r.rounds.two.map((two, i) => ratio(two[key], r.rounds.one[i]![key])),
    detail,
  });
  log(`scale-out: one instance p50 ${r.oneInstance.p50Ms} ms, two ${r.twoInstances.p50Ms} ms; cold load ${r.coldLoad.ms} ms`);
  return {
    figures: [
      relay('p50Ms', 'scaleOut.p50', 'ms'),
      relay('p99Ms', 'scaleOut.p99', 'ms'),
      relay('burstUpdatesPerSecond', 'scaleOut.burst', 'updates/s'),
      { id: 'scaleOut.cold', unit: 'ms', value: r.coldLoad.ms, detail: `${r.coldLoad.edits} logged edits in PostgreSQL` },
    ],
    notes: [note],
  };
}

export const SCALE_OUT_IDS = ['scaleOut.p50', 'scaleOut.p99', 'scaleOut.burst', 'scaleOut.cold'] as const;

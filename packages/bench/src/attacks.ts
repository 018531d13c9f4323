/**
 * The attack bench of the sync core (packages/sync-server/src/bench/attacks.bench.ts: what one
 * attack attempt costs, each in its own process with default limits), run from here so its
 * figures reach the report: its JSON (BENCH_OUT) becomes figures `attacks.<id>.*`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Figure } from './results.js';

interface AttackResult {
  readonly id: string;
  readonly title: string;
  readonly outcome: string;
  readonly blockedMaxMs: number | null;
  readonly heapMB: number | null;
  readonly rssMB: number | null;
  readonly honestP50Ms: number | null;
  readonly honestMaxMs: number | null;
  readonly honestBaselineP50Ms: number | null;
  readonly fresh: string;
}

// Beside the package's entry (dist/index.js): dist/bench/attacks.bench.js.
const attacksMain = join(dirname(createRequire(import.meta.url).resolve('@tabla/sync-server')), 'bench', 'attacks.bench.js');

/** Runs the attacks named in `ids` (all when empty), printing their table, and returns their figures. */
export async function attacks(ids: readonly string[], log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tabla-attacks-out-'));
  const out = join(dir, 'attacks.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', attacksMain, ...ids], { env: { ...process.env, BENCH_OUT: out }, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`attacks bench exited ${code}`);
    const { results } = JSON.parse(readFileSync(out, 'utf8')) as { results: AttackResult[] };
    const figures: Figure[] = [];
    const fixed = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));
    for (const r of results) {
      const detail = `${r.title}: ${r.outcome}; fresh client: ${r.fresh}`;
      figures.push({ id: `attacks.${r.id}.blocked`, unit: 'ms', value: fixed(r.blockedMaxMs, 1), detail });
      figures.push({ id: `attacks.${r.id}.heap`, unit: 'MB', value: fixed(r.heapMB, 1), detail: `RSS ${r.rssMB === null ? '-' : r.rssMB.toFixed(1)} MB` });
      const ratio = r.honestP50Ms !== null && r.honestBaselineP50Ms ? Number((r.honestP50Ms / r.honestBaselineP50Ms).toFixed(3)) : null;
      figures.push({ id: `attacks.${r.id}.honest`, unit: 'ms', value: fixed(r.honestP50Ms, 1), reference: fixed(r.honestBaselineP50Ms, 1), ratio, detail: `max ${r.honestMaxMs === null ? '-' : r.honestMaxMs.toFixed(0)} ms` });
    }
    log(`attacks: ${results.length} run`);
    return {
      figures,
      notes: [
        'Attacks: the sync core in a child process per attack, with the default limits (what a deployment gets), an honest writer moving a card every 20 ms on another board and its reader; "blocked" is the longest event-loop block during the attempt (monitorEventLoopDelay), "heap" the heap growth after gc, "honest" the honest moves\' p50 latency during the attempt beside its p50 in the second before (the reference column).',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

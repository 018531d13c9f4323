/**
 * What every benchmark hands to the report: one JSON "part" per bench in the results folder
 * (`BENCH_RESULTS_DIR`, else `node_modules/.cache/tabla-bench` at the repo root). The report
 * (report.ts) joins the parts with the targets (figures.ts) into BENCHMARKS.md and BENCHMARKS.json.
 * Browser-free and server-free: the e2e bench imports it too.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `full`: the figures of BENCHMARKS.md (minutes); `smoke`: every figure at a small scale (seconds), to keep the benches from rotting. */
export type Mode = 'smoke' | 'full';

/** One measured figure. Where the reference server was measured in the same run, `reference` and `ratio` are set. */
export interface Figure {
  /** Stable id, e.g. `relay.1x50.p50`; figures.ts gives its title and target. */
  readonly id: string;
  /** Ours; null when it could not be measured (then `detail` says why). */
  readonly value: number | null;
  readonly unit: string;
  /** The reference server's figure, measured in the same run with the same clients and load. */
  readonly reference?: number | null;
  /** value / reference. */
  readonly ratio?: number | null;
  /** One value (or ratio, where there is a reference) per run, in run order: the spread behind the figure. */
  readonly runs?: readonly number[];
  /** Anything a reader needs beside the number (sample count, what was checked). */
  readonly detail?: string;
}

export interface Part {
  /** `server`, `attacks`, `ui`. */
  readonly bench: string;
  readonly title: string;
  readonly mode: Mode;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The scale actually run (clients, boards, moves, rounds...). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly figures: readonly Figure[];
  /** How it was measured: printed under the bench's table. */
  readonly notes: readonly string[];
}

/** `--smoke` on the command line or `BENCH_MODE=smoke`; anything else is the full run. */
export function benchMode(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Mode {
  if (argv.includes('--smoke')) return 'smoke';
  if (argv.includes('--full')) return 'full';
  const mode = env.BENCH_MODE ?? 'full';
  if (mode !== 'smoke' && mode !== 'full') throw new Error(`BENCH_MODE must be smoke or full, got "${mode}"`);
  return mode;
}

/** The monorepo's root: the nearest folder above this file whose package.json has workspaces. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    if (dirname(dir) === dir) throw new Error(`no workspace root above ${from}`);
  }
}

export function resultsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_RESULTS_DIR ? resolve(env.BENCH_RESULTS_DIR) : join(repoRoot(), 'node_modules', '.cache', 'tabla-bench');
}

/** Writes `<dir>/<bench>.json` and returns its path. */
export function writePart(part: Part, dir: string = resultsDir()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${part.bench}.json`);
  writeFileSync(file, `${JSON.stringify(part, null, 2)}\n`);
  return file;
}

/** A figure with ours and the reference's, the ratio computed here. */
export function compared(id: string, unit: string, value: number | null, reference: number | null, extra: Omit<Figure, 'id' | 'unit' | 'value' | 'reference' | 'ratio'> = {}): Figure {
  const ratio = value !== null && reference !== null && reference !== 0 ? value / reference : null;
  return { id, unit, value, reference, ratio, ...extra };
}

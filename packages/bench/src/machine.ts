/** The machine, the date and the commit a run measured: printed at the top of BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly date: string;
  readonly commit: string;
  /** The working tree differed from the commit (uncommitted changes were measured too). */
  readonly dirty: boolean;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machine(root: string, now: Date = new Date()): Machine {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    os: `${osType()} ${release()}`,
    node: process.version,
    date: now.toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD'], root) ?? 'unknown',
    // The report's own outputs and its hand-written history do not count: they are not what was measured.
    dirty: (git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md', ':!BENCHMARKS.json', ':!packages/bench/HISTORY.md'], root) ?? '') !== '',
  };
}

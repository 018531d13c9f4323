/**
 * BENCHMARKS.md and BENCHMARKS.json from the benches' parts: the machine, the date and the
 * commit; every figure beside its target, with the reference's figure and the ratio where the
 * reference was measured in the same run; what was expected but not measured.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURES, meets, missingFigures, SECTIONS, specOf, type Target } from './figures.js';
import type { Machine } from './machine.js';
import type { Figure, Part } from './results.js';

export interface ReportedFigure extends Figure {
  readonly section: string;
  readonly title: string;
  readonly target: Target | null;
  readonly targetNote: string | null;
  /** true / false: meets its target or not; null: no target, or nothing to judge. */
  readonly met: boolean | null;
  readonly bench: string;
}

export interface Report {
  readonly generatedAt: string;
  readonly mode: 'full' | 'smoke' | 'mixed';
  readonly machine: Machine;
  /** What the reference server was, as installed. */
  readonly reference: string;
  readonly figures: readonly ReportedFigure[];
  readonly missing: readonly string[];
  readonly parts: readonly Part[];
}

/** Every `*.json` part in `dir`. */
export function readParts(dir: string): Part[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Part);
}

export function buildReport(parts: readonly Part[], machine: Machine, reference: string): Report {
  const modes = new Set(parts.map((p) => p.mode));
  const figures: ReportedFigure[] = [];
  for (const part of parts) {
    for (const f of part.figures) {
      const spec = specOf(f.id);
      figures.push({
        ...f,
        bench: part.bench,
        section: spec?.section ?? part.title,
        title: spec?.title ?? f.id,
        target: spec?.target ?? null,
        targetNote: spec?.target ? null : (spec?.note ?? 'none set'),
        met: meets(spec?.target ?? null, f.value, f.ratio),
      });
    }
  }
  // Catalogue order, attacks by id, anything unknown last.
  const order = (f: ReportedFigure) => {
    const i = FIGURES.findIndex((s) => s.id === f.id);
    return i >= 0 ? i : FIGURES.length + (SECTIONS as readonly string[]).indexOf(f.section);
  };
  figures.sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  return {
    generatedAt: machine.date,
    mode: modes.size === 1 ? [...modes][0]! : 'mixed',
    machine,
    reference,
    figures,
    missing: missingFigures(figures.map((f) => f.id)),
    parts,
  };
}

/** A number as a person reads it: fewer decimals as it grows. */
export function formatNumber(x: number | null | undefined, unit = ''): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (unit === '' && Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  const digits = unit === 'updates/s' || abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function metText(f: ReportedFigure): string {
  if (f.met === true) return 'yes';
  if (f.met === false) return '**no**';
  return f.target ? 'not measured' : '–';
}

/**
 * BENCHMARKS.md. `history`: the hand-written account of what was changed and where the time went
 * before and after (packages/bench/HISTORY.md), shown after the figures it explains.
 */
export function renderMarkdown(report: Report, history = ''): string {
  const m = report.machine;
  const lines: string[] = [];
  const judged = report.figures.filter((f) => f.met !== null);
  lines.push('# Benchmarks', '');
  lines.push('Written by `npm run bench` at the repo root (every benchmark, then this file and `BENCHMARKS.json` beside it); do not edit by hand.');
  lines.push('`BENCH_MODE=smoke npm run bench` runs every figure at a small scale in seconds (CI runs that smoke); see "Benchmarks" in README.md.', '');
  if (report.mode !== 'full') {
    lines.push(`> **${report.mode === 'smoke' ? 'Smoke run' : 'Mixed run (some parts smoke)'}**: figures at a reduced scale, to show the benchmarks work; not comparable with a full run or the targets.`, '');
  }
  lines.push('| | |', '|---|---|');
  lines.push(`| mode | ${report.mode} |`);
  lines.push(`| date | ${m.date} |`);
  lines.push(`| commit | \`${m.commit}\`${m.dirty ? ' with uncommitted changes in the working tree' : ''} |`);
  lines.push(`| machine | ${cell(m.cpu)}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${cell(m.os)} |`);
  lines.push(`| node | ${m.node} |`);
  lines.push(`| reference server | ${cell(report.reference)} |`);
  lines.push(`| targets met | ${judged.filter((f) => f.met).length} of ${judged.length} figures with a target and a number |`);
  lines.push('');
  lines.push('Ratios are ours / the reference\'s, both measured in the same run with the same clients and load; "runs" lists each alternating round\'s ratio (or each run\'s value where there is no reference).', '');
  const sections = [...new Set(report.figures.map((f) => f.section))];
  for (const section of sections) {
    const rows = report.figures.filter((f) => f.section === section);
    lines.push(`## ${section}`, '');
    lines.push('| figure | ours | reference | ratio | runs | target | met |', '|---|---:|---:|---:|---|---|---|');
    for (const f of rows) {
      const runs = f.runs?.length ? f.runs.map((r) => formatNumber(r)).join(', ') : '';
      const title = f.detail ? `${f.title} <br><sub>${cell(f.detail)}</sub>` : f.title;
      lines.push(
        `| ${cell(title)} | ${formatNumber(f.value, f.unit)} | ${f.reference === undefined ? '' : formatNumber(f.reference, f.unit)} | ${f.ratio === undefined ? '' : formatNumber(f.ratio)} | ${runs} | ${cell(f.target?.text ?? f.targetNote ?? '')} | ${metText(f)} |`,
      );
    }
    lines.push('');
    const benches = new Set(rows.map((f) => f.bench));
    const notes = report.parts.filter((p) => benches.has(p.bench)).flatMap((p) => p.notes.filter((n) => noteBelongs(n, section)));
    for (const n of notes) lines.push(`- ${n}`);
    if (notes.length) lines.push('');
  }
  if (report.missing.length) {
    lines.push('## Not measured', '');
    lines.push('Expected but missing from this run (a bench failed or was not run):', '');
    for (const id of report.missing) lines.push(`- \`${id}\`${specOf(id) ? `: ${specOf(id)!.title}` : ''}`);
    lines.push('');
  }
  if (history.trim()) lines.push('## What changed, and where the time went before and after', '', history.trim(), '');
  lines.push('## Runs', '');
  lines.push('| bench | mode | started | finished | scale |', '|---|---|---|---|---|');
  for (const p of report.parts) lines.push(`| ${p.bench} | ${p.mode} | ${p.startedAt} | ${p.finishedAt} | ${cell(scaleText(p.params))} |`);
  lines.push('');
  return lines.join('\n');
}

/** A note belongs to the section whose first word it starts with ("Relay ...", "Cold load: ...", "Board UI: ..."). */
function noteBelongs(note: string, section: string): boolean {
  const firstWord = (t: string) => t.split(/[^A-Za-z]/)[0]!.toLowerCase();
  return firstWord(note) === firstWord(section);
}

function scaleText(params: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(params, (_k, v: unknown) => v)
    .replace(/"([a-zA-Z]+)":/g, '$1: ')
    .slice(0, 600);
}

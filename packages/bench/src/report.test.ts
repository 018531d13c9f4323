import { describe, expect, it } from 'vitest';
import { FIGURES, meets, missingFigures } from './figures.js';
import type { Machine } from './machine.js';
import { buildReport, formatNumber, renderMarkdown } from './report.js';
import type { Part } from './results.js';

const machine: Machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20', date: '2026-01-01T00:00:00.000Z', commit: 'abc1234', dirty: true };
const part = (figures: Part['figures'], bench = 'server', mode: Part['mode'] = 'full'): Part => ({ bench, title: bench, mode, startedAt: machine.date, finishedAt: machine.date, params: { n: 1 }, figures, notes: ['Relay: how it was measured.', 'Cold load: how that was.'] });

describe('report', () => {
  it('judges each figure against its target, on its value or its ratio', () => {
    expect(meets({ on: 'ratio', op: '<=', bound: 1, text: '' }, 5, 0.9)).toBe(true);
    expect(meets({ on: 'ratio', op: '>=', bound: 1, text: '' }, 5, 0.9)).toBe(false);
    expect(meets({ on: 'value', op: '<=', bound: 100, text: '' }, 160, null)).toBe(false);
    expect(meets({ on: 'value', op: '=', bound: 1, text: '' }, 1, null)).toBe(true);
    expect(meets({ on: 'value', op: '<=', bound: 100, text: '' }, null, null)).toBeNull();
    expect(meets(null, 3, 1)).toBeNull();
  });

  it('lists what it expected and did not get, attacks included', () => {
    const all = FIGURES.map((f) => f.id);
    expect(missingFigures([...all, 'attacks.a.blocked', 'attacks.a.heap', 'attacks.a.honest'])).toEqual([]);
    expect(missingFigures(all)).toEqual(['attacks.*']);
    expect(missingFigures([...all.filter((id) => id !== 'cold.crash'), 'attacks.a.blocked'])).toEqual(['cold.crash', 'attacks.a.heap', 'attacks.a.honest']);
  });

  it('prints the machine, the commit, each figure beside its target and the reference, and the notes of its section', () => {
    const report = buildReport(
      [
        part([
          { id: 'relay.1x50.p50', unit: 'ms', value: 3, reference: 2, ratio: 1.5, runs: [1.4, 1.6], detail: '400 samples' },
          { id: 'cold.crash', unit: 'ms', value: 80 },
        ]),
      ],
      machine,
      '@y/websocket-server 0.1.1',
    );
    const md = renderMarkdown(report);
    expect(md).toContain('| commit | `abc1234` with uncommitted changes in the working tree |');
    expect(md).toContain('| machine | Test CPU, 2 cores, 24 GiB RAM, Linux |');
    expect(md).toContain('| 1 board × 50 clients: p50 latency <br><sub>400 samples</sub> | 3.00 ms | 2.00 ms | 1.50 | 1.40, 1.60 | ratio ≤ 1.0 (p50 no worse than the reference) | **no** |');
    expect(md).toMatch(/restarted after a crash: fresh client synced \| 80\.0 ms \|.*\| ≤ 100 ms \| yes \|/);
    expect(md).toContain('- Relay: how it was measured.');
    expect(md.indexOf('- Cold load: how that was.')).toBeGreaterThan(md.indexOf('## Cold load'));
    expect(md).toContain('## Not measured');
    expect(md).toContain('| targets met | 1 of 2 figures with a target and a number |');
    expect(report.mode).toBe('full');
  });

  it('shows the hand-written history after the figures, before the runs', () => {
    const report = buildReport([part([{ id: 'cold.crash', unit: 'ms', value: 80 }])], machine, 'ref');
    const md = renderMarkdown(report, '### Session 17\n\nCold load 205 -> 133 ms.\n');
    expect(md).toContain('## What changed, and where the time went before and after\n\n### Session 17\n\nCold load 205 -> 133 ms.\n');
    expect(md.indexOf('### Session 17')).toBeGreaterThan(md.indexOf('## Cold load'));
    expect(md.indexOf('### Session 17')).toBeLessThan(md.indexOf('## Runs'));
    expect(renderMarkdown(report)).not.toContain('## What changed');
  });

  it('says when the run was a smoke run, or mixed', () => {
    const smoke = buildReport([part([], 'server', 'smoke')], machine, 'ref');
    expect(renderMarkdown(smoke)).toContain('**Smoke run**');
    expect(buildReport([part([], 'server', 'smoke'), part([], 'ui', 'full')], machine, 'ref').mode).toBe('mixed');
  });

  it('formats numbers by size', () => {
    expect(formatNumber(0.4567, 'MB')).toBe('0.457 MB');
    expect(formatNumber(12.345, 'ms')).toBe('12.3 ms');
    expect(formatNumber(1234.5, 'updates/s')).toBe('1,235 updates/s');
    expect(formatNumber(null, 'ms')).toBe('–');
    expect(formatNumber(1, '')).toBe('1');
  });
});

/**
 * Collects every bench's part (results.ts) and writes BENCHMARKS.md and BENCHMARKS.json.
 *
 *   node dist/report-cli.js                 (at the repo root; exit 1 if a figure is missing)
 *   node dist/report-cli.js --clean         (empties the results folder: `npm run bench` starts with it)
 *   node dist/report-cli.js --out DIR       (elsewhere, e.g. a test's folder)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { machine } from './machine.js';
import { buildReport, readParts, renderMarkdown } from './report.js';
import { repoRoot, resultsDir } from './results.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function referenceVersion(): string {
  const require = createRequire(import.meta.url);
  const version = (name: string) => {
    try {
      return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  return `@y/websocket-server ${version('@y/websocket-server')} (in memory, ws ${version('ws')}, yjs ${version('yjs')}), a child process like ours`;
}

const dir = arg('--results') ?? resultsDir();
if (process.argv.includes('--clean')) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const root = repoRoot();
const out = arg('--out') ?? root;
const report = buildReport(readParts(dir), machine(root), referenceVersion());
// Written by hand (a run cannot know what was changed between runs), shown in BENCHMARKS.md.
const history = readFileSync(new URL('../HISTORY.md', import.meta.url), 'utf8');
const markdown = renderMarkdown(report, history);
writeFileSync(join(out, 'BENCHMARKS.md'), markdown);
writeFileSync(join(out, 'BENCHMARKS.json'), `${JSON.stringify(report, null, 2)}\n`);
const judged = report.figures.filter((f) => f.met !== null);
process.stdout.write(
  `BENCHMARKS.md (${report.mode}): ${report.figures.length} figures, ${judged.filter((f) => f.met).length} of ${judged.length} targets met${report.missing.length ? `; MISSING: ${report.missing.join(', ')}` : ''}\n  ${join(out, 'BENCHMARKS.md')}\n`,
);
process.exit(report.missing.length ? 1 : 0);

/**
 * The board UI figures of BENCHMARKS.md (board-ui.ts): `npm run bench -w @tabla/e2e`, part of the
 * root `npm run bench`; `BENCH_MODE=smoke` for the small run. Writes the part `ui` for the report.
 */
import { benchMode, writePart } from '@tabla/bench';
import { test } from '../fixtures/test.js';
import { measureBoardUi, UI_PARAMS } from './board-ui.js';

test('board UI: first load, offline visit, initial JavaScript, drag frame times', async ({ browser, server }) => {
  const mode = benchMode();
  const params = UI_PARAMS[mode];
  const startedAt = new Date().toISOString();
  const { figures, notes } = await measureBoardUi(browser, server, params, (line) => console.log(line));
  const file = writePart({ bench: 'ui', title: 'Board UI in Chromium', mode, startedAt, finishedAt: new Date().toISOString(), params: { ...params }, figures, notes });
  console.log(`wrote ${file}`);
});

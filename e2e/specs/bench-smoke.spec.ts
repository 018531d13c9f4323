/**
 * The board UI benchmark at its smoke scale (e2e/bench/board-ui.ts), so it cannot rot: every
 * figure is measured and is a number. The figures themselves are not judged here (BENCHMARKS.md).
 */
import { FIGURES as ALL } from '@tabla/bench';
import { expect, test } from '../fixtures/test.js';
import { measureBoardUi, UI_PARAMS } from '../bench/board-ui.js';

const FIGURES = ALL.filter((f) => f.id.startsWith('ui.')).map((f) => f.id);

test('the board UI benchmark measures every figure (smoke)', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const { figures } = await measureBoardUi(browser, server, UI_PARAMS.smoke, () => undefined);
  expect(figures.map((f) => f.id).sort()).toEqual([...FIGURES].sort());
  for (const f of figures) expect(Number.isFinite(f.value), `${f.id}: ${f.value} (${f.detail})`).toBe(true);
});

import { expect, it } from 'vitest';
import { warmUp } from './warm-up.js';

it('the warm-up runs the judged path: the gate accepts every edit of the throwaway board', () => {
  const run = warmUp();
  expect(run.edits).toBeGreaterThanOrEqual(600);
  expect(run.accepted).toBe(run.edits);
});

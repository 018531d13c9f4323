import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/browser.js';

/** `npm run bench`: the board UI figures (bench/board-ui.ts) for BENCHMARKS.md, not assertions. */
export default defineConfig({
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  timeout: 300_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions() },
});

import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/browser.js';

/** `npm run bench`: figures printed side by side, not assertions. */
export default defineConfig({
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions() },
});

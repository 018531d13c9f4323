import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixtures/browser.js';

export default defineConfig({
  testDir: './specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // two cores: the server, two browsers and the test runner already share them
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: { trace: 'retain-on-failure', launchOptions: chromiumLaunchOptions() },
});

import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

/**
 * A browser, found in order: CHROMIUM_PATH, Debian's /usr/bin/chromium, then
 * Playwright's own (after `npx playwright install chromium` where the internet is
 * reachable). With none, fail at once and say how to get one.
 */
function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here
  }
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium for the end-to-end tests. Install one: `sudo apt-get install -y chromium` (Debian/Ubuntu), ' +
        'or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    );
  }
  return found;
}

export default defineConfig({
  testDir: './specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // two cores: the server, two browsers and the test runner already share them
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: findChromium(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});

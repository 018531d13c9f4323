/**
 * The JavaScript a first visit downloads stays within 200 KB gzipped: the entry script and what
 * index.html preloads with it (modulepreload), as built. Lazy chunks (set-up, room kit, print
 * views, projector panel) are fetched only after the board is shown (service worker or prefetch) and are not counted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';

const dist = join(dirname(createRequire(import.meta.url).resolve('@tabla/board/package.json')), 'dist');
const BUDGET_BYTES = 200 * 1024;

test('first-load JavaScript is within 200 KB gzipped', () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
  const preloaded = [...html.matchAll(/<link rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  expect(entry.length).toBe(1);
  const files = [...new Set([...entry, ...preloaded])];
  const sizes = files.map((href) => ({ href, gzip: gzipSync(readFileSync(join(dist, href.replace(/^\//, '')))).length }));
  const total = sizes.reduce((sum, f) => sum + f.gzip, 0);
  test.info().annotations.push({ type: 'first-load JS (gzip)', description: `${(total / 1024).toFixed(1)} KB: ${sizes.map((f) => `${f.href} ${(f.gzip / 1024).toFixed(1)} KB`).join(', ')}` });
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});

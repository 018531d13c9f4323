import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');

describe('the server process', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('[R2] shuts down on SIGTERM even when whoever read its output has gone (closed stdout)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabla-stdout-'));
    dirs.push(dir);
    const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, ADMIN_TOKEN: 'stdout-test-admin-token-0123' }, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"listening"')) resolve();
      });
    });
    child.stdout!.destroy(); // the log reader goes away
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 8_000);
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);
});

/**
 * What the built server prints when it starts (issue "Room-ready", point 5): a short banner for the
 * person, JSON logs where an operator expects them (LOG_FORMAT), and the admin token only on the
 * start that generated it or when asked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../dist');

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Starts dist/main.js, waits until it has started (the banner's last line on either stream), stops it with SIGTERM. */
function startAndStop(dataDir: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['ADMIN_TOKEN', 'LOG_FORMAT', 'LOG_LEVEL', 'PUBLIC_URL', 'TABLA_TEST_FAULTS']) delete base[name];
  const child = spawn(process.execPath, [join(dist, 'main.js'), ...args], {
    env: { ...base, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopping = false;
  const started = () => {
    if (stopping || !/Stop: {2}Ctrl\+C\n/.test(stdout + stderr) || (env.LOG_FORMAT !== 'pretty' && !stdout.includes('"listening"'))) return;
    stopping = true;
    child.kill('SIGTERM');
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    started();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    started();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('the start output', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tabla-start-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('LOG_FORMAT=pretty: a banner on stdout, the admin token on the first start only, JSON lines in DATA_DIR/tabla.log', async () => {
    const dir = dataDir();
    const first = await startAndStop(dir, { LOG_FORMAT: 'pretty' });
    expect(first.code).toBe(0);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(first.stdout).toMatch(/^\nTabla \d+\.\d+\.\d+ is running at http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(first.stdout).toContain(`  ${token}\n`);
    expect(first.stdout).toContain('shown on this first start only');
    expect(first.stdout).toContain('coordinator  http://127.0.0.1:');
    expect(first.stdout).toContain(`Log:   ${join(dir, 'tabla.log')}`);
    expect(first.stdout).toMatch(/Tabla stopped\.\n$/);
    expect(first.stdout).not.toMatch(/^\{/m); // no JSON for the person
    expect(first.stderr).toBe(''); // nothing went wrong

    const second = await startAndStop(dir, { LOG_FORMAT: 'pretty' });
    expect(second.code).toBe(0);
    expect(second.stdout + second.stderr).not.toContain(token);
    expect(second.stdout).toContain('`npm run admin-token` (or `npm start -- --show-admin-token`) shows it');

    const asked = await startAndStop(dir, { LOG_FORMAT: 'pretty' }, ['--show-admin-token']);
    expect(asked.stdout).toContain(`  ${token}\n`);
    expect(asked.stdout).not.toContain('first start only');

    // Every start's JSON lines, appended.
    const logged = readFileSync(join(dir, 'tabla.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    expect(logged.filter((e) => e.msg === 'listening')).toHaveLength(3);
    expect(logged.filter((e) => e.msg === 'stopped')).toHaveLength(3);
    expect(readFileSync(join(dir, 'tabla.log'), 'utf8')).not.toContain(token);
  }, 60_000);

  it('LOG_FORMAT unset and stdout not a terminal (json): only JSON lines on stdout, the banner (no QR codes) on stderr', async () => {
    const dir = dataDir();
    const first = await startAndStop(dir, { HOST: '0.0.0.0' });
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['demo board created', 'listening', 'shutting down', 'stopped']);
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'listening', url: expect.stringMatching(/^http:\/\/localhost:\d+\/$/) as unknown });
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(first.stderr).toContain('Log:   JSON lines on stdout (LOG_FORMAT=json)');
    expect(first.stderr).toContain(`  ${token}\n`);
    expect(first.stderr).not.toContain('\u001b[');
    expect(first.stdout).not.toContain(token);

    const second = await startAndStop(dir);
    expect(second.stdout + second.stderr).not.toContain(token);
  }, 60_000);

  it('ADMIN_TOKEN from the environment is never printed, not even when asked', async () => {
    const token = 'an-admin-token-from-the-environment-0123';
    const run = await startAndStop(dataDir(), { LOG_FORMAT: 'pretty', ADMIN_TOKEN: token }, ['--show-admin-token']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Admin token: set by ADMIN_TOKEN (not shown)');
    expect(run.stdout + run.stderr).not.toContain(token);
  }, 30_000);

  it('dist/admin-token-cli.js (npm run admin-token) prints the token of DATA_DIR', async () => {
    const dir = dataDir();
    await startAndStop(dir, { LOG_FORMAT: 'json' });
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
    delete env.ADMIN_TOKEN;
    const cli = spawnSync(process.execPath, [join(dist, 'admin-token-cli.js')], { env, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toBe(readFileSync(join(dir, 'admin-token'), 'utf8'));
  }, 30_000);
});

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminTokenCommand } from './admin-token.js';
import { loadConfig } from './config.js';

describe('npm run admin-token', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tabla-admin-token-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('prints the token the first start generated, alone on stdout', () => {
    const dir = tempDir();
    const { adminToken } = loadConfig({ DATA_DIR: dir });
    expect(adminTokenCommand({ DATA_DIR: dir }, '/elsewhere')).toEqual({ stdout: `${adminToken}\n`, stderr: '', code: 0 });
  });

  it('finds DATA_DIR as the server does: ./data, relative to the working directory', () => {
    const cwd = tempDir();
    const { adminToken } = loadConfig({ DATA_DIR: join(cwd, 'data') });
    expect(adminTokenCommand({}, cwd).stdout).toBe(`${adminToken}\n`);
    mkdirSync(join(cwd, 'room'));
    const room = loadConfig({ DATA_DIR: join(cwd, 'room') }).adminToken;
    expect(adminTokenCommand({ DATA_DIR: 'room' }, cwd).stdout).toBe(`${room}\n`);
  });

  it('before the first start: says so on stderr, status 1, and creates nothing', () => {
    const dir = join(tempDir(), 'never-started');
    const result = adminTokenCommand({ DATA_DIR: dir }, '/');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`No admin token in ${dir}`);
    expect(existsSync(dir)).toBe(false);
  });

  it('a token from the environment is never printed', () => {
    const result = adminTokenCommand({ ADMIN_TOKEN: 'an-admin-token-from-env-0123' }, tempDir());
    expect(result).toEqual({ stdout: '', stderr: expect.stringContaining('set by ADMIN_TOKEN') as unknown as string, code: 1 });
    expect(result.stderr).not.toContain('an-admin-token-from-env-0123');
  });
});

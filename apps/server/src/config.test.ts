import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tabla-config-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('generates an admin token once, keeps it in DATA_DIR and reuses it', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.adminTokenSource).toBe('generated');
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(first.adminToken);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.adminTokenSource).toBe('file');
    expect(second.adminToken).toBe(first.adminToken);
  });

  it('takes PORT, HOST, PUBLIC_URL and ADMIN_TOKEN from the environment', () => {
    const c = loadConfig({ DATA_DIR: dataDir(), PORT: '0', HOST: '0.0.0.0', PUBLIC_URL: 'https://tabla.example.ba/', ADMIN_TOKEN: 'a-long-enough-admin-token' });
    expect(c).toMatchObject({ port: 0, host: '0.0.0.0', publicUrl: 'https://tabla.example.ba', adminToken: 'a-long-enough-admin-token', adminTokenSource: 'env' });
  });

  it('refuses bad values with a clear message', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), PUBLIC_URL: 'tabla.example.ba' })).toThrow(/PUBLIC_URL/);
  });
});

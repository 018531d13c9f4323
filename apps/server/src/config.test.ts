import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits } from '@tabla/sync-server';
import { ConfigError, loadConfig, SYNC_LIMITS } from './config.js';

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

  it('[R21] REDIS_URL shares boards between instances: only beside DATABASE_URL, with a prefix, an instance id and a catch-up interval', () => {
    const pg = 'postgres://postgres@127.0.0.1:5432/tabla';
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({ redisUrl: null, redisKeyPrefix: 'tabla:', instanceId: null, catchUpIntervalMs: 2_000 });
    const c = loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: pg, REDIS_URL: 'redis://127.0.0.1:6379/2', REDIS_KEY_PREFIX: 'city-a:', INSTANCE_ID: 'web-1', CATCH_UP_INTERVAL_MS: '500' });
    expect(c).toMatchObject({ databaseUrl: pg, redisUrl: 'redis://127.0.0.1:6379/2', redisKeyPrefix: 'city-a:', instanceId: 'web-1', catchUpIntervalMs: 500 });
    // With SQLite (no DATABASE_URL), a sentence saying why and what to do.
    expect(() => loadConfig({ DATA_DIR: dataDir(), REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/REDIS_URL needs DATABASE_URL.*copy-to-postgres/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: pg, REDIS_URL: 'http://redis' })).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: pg, REDIS_URL: 'redis://r', REDIS_KEY_PREFIX: 'has space' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: pg, REDIS_URL: 'redis://r', INSTANCE_ID: 'a/b' })).toThrow(/INSTANCE_ID/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), CATCH_UP_INTERVAL_MS: '10' })).toThrow(/CATCH_UP_INTERVAL_MS/);
  });

  it('[R13] reads every limit from the environment, with the documented defaults', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir() }).limits;
    expect(defaults).toMatchObject({ boardsPerMinute: 30, exportsPerMinute: 10, maxPendingConnectionsPerIp: 20 });
    // The sync core's defaults are its own, written once.
    for (const [, option] of SYNC_LIMITS) expect(defaults.sync[option], option).toBe(defaultLimits[option]);
    // Every sync limit has its variable, taken at both ends of its range and refused past them.
    for (const [name, option, min, max] of SYNC_LIMITS) {
      expect(loadConfig({ DATA_DIR: dataDir(), [name]: String(min) }).limits.sync[option], name).toBe(min);
      expect(loadConfig({ DATA_DIR: dataDir(), [name]: String(max) }).limits.sync[option], name).toBe(max);
      expect(() => loadConfig({ DATA_DIR: dataDir(), [name]: String(min - 1) }), name).toThrow(new RegExp(name));
    }
    const c = loadConfig({
      DATA_DIR: dataDir(),
      MAX_DOCUMENT_BYTES: '100000',
      BOARDS_PER_MINUTE: '2',
      EXPORTS_PER_MINUTE: '4',
      MAX_PENDING_CONNECTIONS_PER_IP: '5',
      MAX_FRAME_BYTES: '2048',
      TRUST_PROXY: '1',
    });
    expect(c.limits).toMatchObject({ boardsPerMinute: 2, exportsPerMinute: 4, maxPendingConnectionsPerIp: 5 });
    expect(c.limits.sync.maxDocumentBytes).toBe(100_000);
    expect(c.maxFrameBytes).toBe(2048);
    expect(c.trustProxy).toBe(true);
    expect(() => loadConfig({ DATA_DIR: dataDir(), MAX_MESSAGES_PER_SECOND: '0' })).toThrow(/MAX_MESSAGES_PER_SECOND/);
  });

  it('[R13] reads the header and request timeouts, and refuses a header timeout longer than the request timeout', () => {
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({ headerTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(loadConfig({ DATA_DIR: dataDir(), HEADER_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '300' })).toMatchObject({
      headerTimeoutMs: 300,
      requestTimeoutMs: 300,
    });
    expect(() => loadConfig({ DATA_DIR: dataDir(), HEADER_TIMEOUT_MS: '40000' })).toThrow(/HEADER_TIMEOUT_MS \(40000\) must not exceed REQUEST_TIMEOUT_MS \(30000\)/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), HEADER_TIMEOUT_MS: '50' })).toThrow(/HEADER_TIMEOUT_MS/);
  });
});

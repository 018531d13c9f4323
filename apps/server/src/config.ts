/** Configuration from the environment: parsed and validated once, here and nowhere else. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateToken } from '@tabla/sync-server';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly adminToken: string;
  /** Where the admin token came from: printed only when we generated or stored it. */
  readonly adminTokenSource: 'env' | 'file' | 'generated';
  /** Base of printed and returned links; when unset, taken from each request. */
  readonly publicUrl: string | null;
  readonly maxFrameBytes: number;
  readonly pingIntervalMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Origins allowed to open the sync WebSocket besides the page's own. */
  readonly allowedOrigins: readonly string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.DATA_DIR || './data');
  mkdirSync(dataDir, { recursive: true });

  let adminToken = env.ADMIN_TOKEN ?? '';
  let adminTokenSource: Config['adminTokenSource'] = 'env';
  if (!adminToken) {
    // Like Jupyter: generated on the first start, kept in DATA_DIR, printed at start.
    const file = join(dataDir, 'admin-token');
    if (existsSync(file)) {
      adminToken = readFileSync(file, 'utf8').trim();
      adminTokenSource = 'file';
    } else {
      adminToken = generateToken();
      writeFileSync(file, `${adminToken}\n`, { mode: 0o600 });
      adminTokenSource = 'generated';
    }
  }
  if (adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN must be at least 16 characters');

  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new ConfigError(`LOG_LEVEL "${logLevel}" is not one of debug, info, warn, error, silent`);

  return {
    port: int(env, 'PORT', 8787, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir,
    adminToken,
    adminTokenSource,
    publicUrl,
    maxFrameBytes: int(env, 'MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    pingIntervalMs: int(env, 'PING_INTERVAL_MS', 30_000, 100, 600_000),
    logLevel,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

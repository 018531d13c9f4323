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
  /**
   * Time a client has to send a request's headers (also: a WebSocket upgrade's authorization), and
   * the whole request: a slow or silent client (slowloris) cannot hold a socket longer.
   */
  readonly headerTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly limits: Limits;
  /** Take client addresses from X-Forwarded-For (only behind your own reverse proxy). */
  readonly trustProxy: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Origins allowed to open the sync WebSocket besides the page's own. */
  readonly allowedOrigins: readonly string[];
}

/** Every limit the server enforces besides the frame size; README "Security and limits" lists them. */
export interface Limits {
  readonly maxDocumentBytes: number;
  readonly maxMessagesPerSecond: number;
  readonly messageBurst: number;
  readonly maxConnectionsPerIp: number;
  readonly maxLoadedBoards: number;
  readonly maxAwarenessBytes: number;
  readonly maxBufferedBytes: number;
  /** Per caller: the admin token, and each board's facilitator (see `boardCreationBudget` in app.ts). */
  readonly boardsPerMinute: number;
  /** Per link token. */
  readonly exportsPerMinute: number;
  /** Connections of one address that have not yet sent a complete request or been authorized. */
  readonly maxPendingConnectionsPerIp: number;
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

  const headerTimeoutMs = int(env, 'HEADER_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  // Node refuses a header timeout longer than the request timeout; say so in our words.
  if (headerTimeoutMs > requestTimeoutMs) throw new ConfigError(`HEADER_TIMEOUT_MS (${headerTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);

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
    headerTimeoutMs,
    requestTimeoutMs,
    limits: {
      maxDocumentBytes: int(env, 'MAX_DOCUMENT_BYTES', 32 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      maxMessagesPerSecond: int(env, 'MAX_MESSAGES_PER_SECOND', 100, 1, 100_000),
      messageBurst: int(env, 'MESSAGE_BURST', 300, 1, 1_000_000),
      maxConnectionsPerIp: int(env, 'MAX_CONNECTIONS_PER_IP', 200, 1, 1_000_000),
      maxLoadedBoards: int(env, 'MAX_LOADED_BOARDS', 1_000, 1, 1_000_000),
      maxAwarenessBytes: int(env, 'MAX_AWARENESS_BYTES', 32 * 1024, 256, 16 * 1024 * 1024),
      maxBufferedBytes: int(env, 'MAX_BUFFERED_BYTES', 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      boardsPerMinute: int(env, 'BOARDS_PER_MINUTE', 30, 1, 100_000),
      exportsPerMinute: int(env, 'EXPORTS_PER_MINUTE', 10, 1, 100_000),
      maxPendingConnectionsPerIp: int(env, 'MAX_PENDING_CONNECTIONS_PER_IP', 20, 1, 1_000_000),
    },
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logLevel,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

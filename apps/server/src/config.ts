/** Configuration from the environment: parsed and validated once, here and nowhere else. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultLimits, generateToken, type SyncLimits } from '@tabla/sync-server';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /**
   * `DATABASE_URL`: boards live in this PostgreSQL database (several instances can share it);
   * null: in SQLite, `DATA_DIR/tabla.db`.
   */
  readonly databaseUrl: string | null;
  /**
   * `REDIS_URL`: several instances share boards, Redis Streams relaying between them (PostgreSQL
   * stays the record: needs `DATABASE_URL`); null: one instance.
   */
  readonly redisUrl: string | null;
  /** `REDIS_KEY_PREFIX`: of every Redis key and channel (default `tabla:`), to share one Redis with others. */
  readonly redisKeyPrefix: string;
  /** `INSTANCE_ID`: this instance among those sharing boards (default: host name, process id and a random part). */
  readonly instanceId: string | null;
  /** `CATCH_UP_INTERVAL_MS`: with Redis, how often each instance checks its loaded boards against PostgreSQL. */
  readonly catchUpIntervalMs: number;
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
  /** `LOG_FORMAT`; null (unset): `pretty` when stdout is a terminal, else `json` (logger.ts, `logFormatFor`). */
  readonly logFormat: 'pretty' | 'json' | null;
  /** Origins allowed to open the sync WebSocket besides the page's own. */
  readonly allowedOrigins: readonly string[];
}

/** Every limit the server enforces besides the frame size; README "Security and limits" lists them. */
export interface Limits {
  /** The sync core's (SYNC_LIMITS): handed to SyncServer as they are. */
  readonly sync: SyncLimitsFromEnv;
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

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The sync core's limits, one row each: environment variable, SyncServer option, smallest and
 * largest value allowed. The defaults are the core's own (`defaultLimits`), written once.
 */
export const SYNC_LIMITS = [
  ['MAX_DOCUMENT_BYTES', 'maxDocumentBytes', 64 * KiB, 1024 * MiB],
  ['MAX_DOCUMENT_ITEMS', 'maxDocumentStructs', 1_000, 100_000_000],
  ['MAX_UPDATE_ITEMS', 'maxStructs', 100, 10_000_000],
  ['MAX_UPDATE_DELETE_RANGES', 'maxDeleteRanges', 100, 10_000_000],
  ['MAX_UPDATE_CLIENT_IDS', 'maxClients', 1, 1_000_000],
  ['MAX_UPDATE_KEYS_PER_ENTRY', 'maxKeysPerEntry', 32, 1_000_000],
  ['MAX_NEW_CLIENT_IDS_PER_UPDATE', 'maxNewClientsPerUpdate', 1, 1_000_000],
  ['MAX_CLIENT_IDS_PER_DEVICE', 'maxClientsPerKey', 1, 10_000_000],
  ['MAX_CLIENT_IDS_PER_BOARD', 'maxClientsPerBoard', 10, 10_000_000],
  ['MAX_PRESENCE_STATE_BYTES', 'maxPresenceStateBytes', 256, 1 * MiB],
  ['MAX_PRESENCE_IDS_PER_DEVICE', 'maxPresenceIdsPerKey', 1, 10_000_000],
  ['MAX_PRESENCE_BINDINGS', 'maxPresenceBindings', 10, 100_000_000],
  ['PRESENCE_INTERVAL_MS', 'presenceIntervalMs', 0, 10_000],
  ['PRESENCE_SKIP_BYTES', 'presenceSkipBytes', 1 * KiB, 1024 * MiB],
  ['MAX_MESSAGES_PER_SECOND', 'maxMessagesPerSecond', 1, 100_000],
  ['MESSAGE_BURST', 'messageBurst', 1, 1_000_000],
  ['MAX_PRESENCE_PER_SECOND', 'maxPresencePerSecond', 1, 100_000],
  ['PRESENCE_BURST', 'presenceBurst', 1, 1_000_000],
  ['MAX_WORK_PER_SECOND', 'maxWorkPerSecond', 1 * KiB, 1024 * MiB],
  ['WORK_BURST', 'workBurst', 64 * KiB, 16 * 1024 * MiB],
  ['MAX_ADDRESS_WORK_PER_SECOND', 'maxAddressWorkPerSecond', 1 * KiB, 16 * 1024 * MiB],
  ['ADDRESS_WORK_BURST', 'addressWorkBurst', 64 * KiB, 64 * 1024 * MiB],
  ['MAX_CONNECTIONS_PER_IP', 'maxConnectionsPerIp', 1, 1_000_000],
  ['MAX_LOADED_BOARDS', 'maxLoadedRooms', 1, 1_000_000],
  ['MAX_AWARENESS_BYTES', 'maxAwarenessBytes', 256, 16 * MiB],
  ['MAX_BUFFERED_BYTES', 'maxBufferedBytes', 64 * KiB, 1024 * MiB],
  ['FREE_REFUSALS', 'freeRefusals', 0, 1_000_000],
  ['FREE_REFUSALS_PER_ADDRESS', 'freeRefusalsPerAddress', 0, 1_000_000],
  ['REFUSAL_WINDOW_MS', 'refusalWindowMs', 1_000, 86_400_000],
  ['COMPACT_AFTER_UPDATES', 'compactAfterUpdates', 1, 1_000_000],
] as const satisfies readonly (readonly [string, keyof SyncLimits, number, number])[];

export type SyncLimitsFromEnv = Pick<SyncLimits, (typeof SYNC_LIMITS)[number][1]>;

function syncLimits(env: NodeJS.ProcessEnv): SyncLimitsFromEnv {
  const limits: Record<string, number> = {};
  for (const [name, option, min, max] of SYNC_LIMITS) limits[option] = int(env, name, defaultLimits[option], min, max);
  return limits as SyncLimitsFromEnv;
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

  const databaseUrl = env.DATABASE_URL || null;
  // Checked here so a typo stops the start with a sentence, not a connection error (never echoed: it may hold a password).
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/./.test(databaseUrl)) throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');

  const redisUrl = env.REDIS_URL || null;
  if (redisUrl !== null) {
    if (!/^rediss?:\/\/./.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
    if (databaseUrl === null) {
      throw new ConfigError(
        'REDIS_URL needs DATABASE_URL: instances share boards through PostgreSQL (the record; Redis only relays between them), ' +
          'and the SQLite database in DATA_DIR belongs to one instance. Set DATABASE_URL (and copy the boards: npm run copy-to-postgres -w @tabla/server), or unset REDIS_URL.',
      );
    }
  }
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'tabla:';
  if (!/^[A-Za-z0-9:_.-]{0,64}$/.test(redisKeyPrefix)) throw new ConfigError(`REDIS_KEY_PREFIX must be up to 64 of A-Z a-z 0-9 : _ . -, got "${redisKeyPrefix}"`);
  const instanceId = env.INSTANCE_ID || null;
  if (instanceId !== null && !/^[A-Za-z0-9._:-]{1,64}$/.test(instanceId)) throw new ConfigError(`INSTANCE_ID must be 1-64 of A-Z a-z 0-9 . _ : -, got "${instanceId}"`);

  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);

  const headerTimeoutMs = int(env, 'HEADER_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  // Node refuses a header timeout longer than the request timeout; say so in our words.
  if (headerTimeoutMs > requestTimeoutMs) throw new ConfigError(`HEADER_TIMEOUT_MS (${headerTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new ConfigError(`LOG_LEVEL "${logLevel}" is not one of debug, info, warn, error, silent`);
  const logFormat = (env.LOG_FORMAT || null) as Config['logFormat'];
  if (logFormat !== null && logFormat !== 'pretty' && logFormat !== 'json') throw new ConfigError(`LOG_FORMAT "${logFormat}" is not one of pretty, json`);

  return {
    port: int(env, 'PORT', 8787, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    redisUrl,
    redisKeyPrefix,
    instanceId,
    catchUpIntervalMs: int(env, 'CATCH_UP_INTERVAL_MS', 2_000, 100, 600_000),
    adminToken,
    adminTokenSource,
    publicUrl,
    maxFrameBytes: int(env, 'MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    pingIntervalMs: int(env, 'PING_INTERVAL_MS', 30_000, 100, 600_000),
    headerTimeoutMs,
    requestTimeoutMs,
    limits: {
      sync: syncLimits(env),
      boardsPerMinute: int(env, 'BOARDS_PER_MINUTE', 30, 1, 100_000),
      exportsPerMinute: int(env, 'EXPORTS_PER_MINUTE', 10, 1, 100_000),
      maxPendingConnectionsPerIp: int(env, 'MAX_PENDING_CONNECTIONS_PER_IP', 20, 1, 1_000_000),
    },
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logLevel,
    logFormat,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

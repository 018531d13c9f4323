/**
 * The composition root: config from env -> storage -> sync server -> Hono app ->
 * listen. The only place with process-level singletons.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { attachSyncServer, DamagedDatabaseError, type Fanout, type Logger, PostgresStorage, RedisFanout, SqliteThreadStorage, SyncServer, warmUp } from '@tabla/sync-server';
import type { Role } from '@tabla/plan-model';
import { createApp } from './app.js';
import { adminTokenNote, bannerText, serverVersion, SHOW_ADMIN_TOKEN_FLAG } from './banner.js';
import { createBoard } from './boards.js';
import { ConfigError, loadConfig } from './config.js';
import { fanoutFaultsFromEnv } from './fanout-faults.js';
import { faultInjectionFromEnv } from './faults.js';
import { logFormatFor, startLogging } from './logger.js';
import { createMetrics } from './metrics.js';
import { originPolicy } from './origin.js';
import { VersionKeeper } from './version-keeper.js';
import { saveBoardVersion } from './versions.js';
import { httpTimeouts, limitPendingConnections } from './slow-clients.js';

/** Exit status for a damaged database: told apart from a crash (1), so a supervisor need not restart into it (systemd: RestartPreventExitStatus=3). */
const EXIT_DAMAGED_DATABASE = 3;

function boardDistDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tabla/board/package.json')), 'dist');
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  // A closed stdout (the reader of our output went away) must not take the server down.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const config = loadConfig();
  // LOG_FORMAT (logger.ts): pretty = JSON lines to DATA_DIR/tabla.log, warnings also on stderr, stdout is the person's;
  // json = JSON lines on stdout, the banner on stderr.
  const logging = startLogging({ level: config.logLevel, format: logFormatFor(config.logFormat, process.stdout.isTTY === true), dataDir: config.dataDir });
  const { logger } = logging;
  const storage = config.databaseUrl === null ? await openStorage(join(config.dataDir, 'tabla.db'), logger) : await openPostgres(config.databaseUrl);

  // First start: the demo board exists. Its plain links are kept beside the database
  // (like the admin token), so every start can print them.
  const demoFile = join(config.dataDir, 'demo-board.json');
  if ((await storage.listBoards()).length === 0) {
    // Instances sharing one PostgreSQL database may start at once: one creates the demo board, the others find it.
    const created = await createBoard(storage, { title: '', template: 'demo', id: 'demo' }).catch(async (err: unknown) => {
      if (await storage.getBoard('demo')) return null;
      throw err;
    });
    if (created) {
      const { board, tokens } = created;
      writeFileSync(demoFile, `${JSON.stringify({ id: board.id, tokens }, null, 2)}\n`, { mode: 0o600 });
      logger.info({ boardId: board.id }, 'demo board created');
    }
  }

  // Several instances (REDIS_URL): Redis Streams relay between them; PostgreSQL stays the record.
  let fanout: Fanout | undefined;
  if (config.redisUrl !== null) {
    const redis = new RedisFanout({
      url: config.redisUrl,
      keyPrefix: config.redisKeyPrefix,
      ...(config.instanceId === null ? {} : { instanceId: config.instanceId }),
      logger,
      faults: fanoutFaultsFromEnv(process.env),
    });
    fanout = redis;
    logger.info({ instanceId: redis.instanceId, keyPrefix: config.redisKeyPrefix }, 'sharing boards with other instances through Redis');
  }

  const metrics = createMetrics();
  const { limits } = config;
  // Automatic versions at the moments that matter (version-keeper.ts); it saves through the sync
  // server it watches, hence the late binding.
  const versions = new VersionKeeper({
    save: (boardId, _moment, name, id) => saveBoardVersion({ storage, sync }, boardId, { name, by: 'Tabla', auto: true, id }),
    onError: (boardId, err) => logger.error({ boardId, err: String(err) }, 'automatic version not saved'),
  });
  const sync: SyncServer = new SyncServer({
    storage,
    logger,
    pingIntervalMs: config.pingIntervalMs,
    ...limits.sync,
    onStorageWrite: metrics.observeStorageWrite,
    onDocumentChanged: versions.documentChanged,
    ...(fanout ? { fanout, catchUpIntervalMs: config.catchUpIntervalMs } : {}),
  });
  if (fanout instanceof RedisFanout) {
    // Started by the sync server: say at once whether Redis answers (the server runs either way).
    fanout.ready(5_000).catch((err: unknown) => logger.error({ err: String(err) }, 'Redis not reachable: serving anyway, other instances catch up from PostgreSQL'));
  }
  metrics.watch(sync);
  let stopping = false;
  const app = createApp({
    storage,
    sync,
    adminToken: config.adminToken,
    publicUrl: config.publicUrl,
    logger,
    boardDist: boardDistDir(),
    metrics: metrics.registry,
    boardsPerMinute: limits.boardsPerMinute,
    exportsPerMinute: limits.exportsPerMinute,
    checkWritable: () => storage.checkWritable(),
    accepting: () => !stopping,
    ...(fanout ? { fanout: () => fanout.status() } : {}),
  });

  // Before the first connection: the first board loaded after a restart is not the one that pays for cold code.
  warmUp();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        serverOptions: httpTimeouts(config.headerTimeoutMs, config.requestTimeoutMs),
      },
      () => resolve(s),
    );
  });
  const httpServer = server as Server;
  if (!config.trustProxy) limitPendingConnections(httpServer, limits.maxPendingConnectionsPerIp);
  attachSyncServer(httpServer, sync, {
    maxFrameBytes: config.maxFrameBytes,
    trustProxy: config.trustProxy,
    allowOrigin: originPolicy(config.allowedOrigins),
    maxPendingUpgradesPerIp: limits.maxPendingConnectionsPerIp,
    // An upgrade is a request whose answer waits for the authorization: the same deadline as headers.
    authorizeTimeoutMs: config.headerTimeoutMs,
  });

  // Before anyone hears "listening": a SIGTERM that arrives with no handler kills the process outright.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    await sync.close();
    await fanout?.close();
    versions.close();
    // Sockets whose peers vanished (a closed laptop) would hold the close for ws's 30 s.
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    setTimeout(() => httpServer.closeAllConnections(), 1_000).unref();
    await closed;
    await storage.close();
    logger.info({}, 'stopped');
    if (logging.format === 'pretty') process.stdout.write('Tabla stopped.\n');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  const lan = config.host === '0.0.0.0' || config.host === '::';
  // The banner is for the person: on stdout, unless stdout carries the JSON logs (then on stderr, without QR codes).
  (logging.format === 'pretty' ? process.stdout : process.stderr).write(
    await bannerText({
      version: serverVersion(),
      base,
      port,
      lan,
      qr: logging.format === 'pretty',
      demo: existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as { id: string; tokens: Record<Role, string> }) : null,
      admin: adminTokenNote(config, join(config.dataDir, 'admin-token'), process.argv.includes(SHOW_ADMIN_TOKEN_FLAG)),
      dataDir: config.dataDir,
      log: logging.destination,
    }),
  );
  logger.info({ port, host: config.host, url: `${base}/` }, 'listening');

}

/**
 * The SQLite storage, on its worker thread so that waiting for the disk never holds up the relay of
 * other boards; a damaged database ends the process here with one sentence for the operator and
 * EXIT_DAMAGED_DATABASE (a stack trace would only hide what to do). A worker that dies later is a
 * storage failure: every storage call fails from then on, /readyz says so.
 */
async function openStorage(file: string, logger: Logger): Promise<SqliteThreadStorage> {
  // Checked here, where a mistyped fault is a ConfigError; the worker builds its hooks from the same env.
  const faults = faultInjectionFromEnv(process.env) === undefined ? {} : { faultInjectionModule: new URL('./faults.js', import.meta.url) };
  try {
    return await SqliteThreadStorage.open(file, {
      ...faults,
      onWorkerExit: (err) => logger.error({ err: String(err) }, 'SQLite storage stopped: every storage call fails from now on'),
    });
  } catch (err) {
    if (!(err instanceof DamagedDatabaseError)) throw err;
    process.stderr.write(
      `Tabla cannot start: the database ${file} is damaged (${err.problem}). Restore it from a backup or move it away to start with an empty one.\n`,
    );
    process.exit(EXIT_DAMAGED_DATABASE);
  }
}

/**
 * The PostgreSQL storage (DATABASE_URL); one it cannot open (unreachable, refused, a newer schema,
 * commits not durable) ends the process here with one sentence, the URL shown without its password.
 */
async function openPostgres(url: string): Promise<PostgresStorage> {
  try {
    return await PostgresStorage.open(url, { faultInjection: faultInjectionFromEnv(process.env) });
  } catch (err) {
    const shown = url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
    process.stderr.write(`Tabla cannot start: the PostgreSQL database ${shown} cannot be used (${(err as Error).message}).\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? `Configuration error: ${err.message}` : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

/**
 * The real services of the scale-out tests: PostgreSQL (`TEST_DATABASE_URL`, default the local
 * one) and Redis (`TEST_REDIS_URL`, default `redis://127.0.0.1:6379`). Each test gets a schema and
 * a key prefix of its own, removed after it. When a service does not answer, the suites that need
 * it are skipped and say why, unless the run requires it (`REQUIRE_SERVICES` naming it, as
 * .ci/run does once the service answers): then they fail.
 *
 * Failures of a service are made without touching the machine's shared ones: a Redis of the test's
 * own (`startPrivateRedis`, a child process on a free port) can be stopped and started, and
 * PostgreSQL is reached through a TCP proxy the test can cut (`startTcpProxy`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteKeysOf } from '../fanout/delete-keys.js';

export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const required = (name: string): boolean => new RegExp(`\\b${name}\\b`, 'i').test(process.env.REQUIRE_SERVICES ?? '');

/** The URL without its password, for messages. */
export function shown(connection: string): string {
  try {
    const parsed = new URL(connection);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${shown(postgresUrl)} is not reachable (${String((err as Error).message || err)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisProblem(): Promise<string | null> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let cause = '';
  redis.on('error', (err: Error) => (cause ||= err.message));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return `Redis at ${shown(redisUrl)} is not reachable (${cause || String((err as Error).message || err)})`;
  } finally {
    redis.disconnect();
  }
}

/** `problem` as is, unless this run requires the service (then the run fails: nothing may pass untested). */
function allowed(service: 'postgres' | 'redis', problem: string | null): string | null {
  if (problem && required(service)) throw new Error(`${problem}, and this CI run requires it (REQUIRE_SERVICES=${process.env.REQUIRE_SERVICES})`);
  return problem;
}

/**
 * Null when both services answer; else why not, after failing the run if CI requires the one
 * that is missing, or warning that the suite `what` is SKIPPED.
 */
export async function servicesProblem(what: string): Promise<string | null> {
  const problems = [allowed('postgres', await postgresProblem()), allowed('redis', await redisProblem())].filter((p): p is string => p !== null);
  if (problems.length === 0) return null;
  const why = problems.join('; ');
  console.warn(`${why}: ${what} SKIPPED. Set TEST_DATABASE_URL / TEST_REDIS_URL to run it.`);
  return why;
}

/** Like `servicesProblem`, for a suite that needs PostgreSQL alone. */
export async function postgresUnavailable(what: string): Promise<string | null> {
  const problem = allowed('postgres', await postgresProblem());
  if (problem) console.warn(`${problem}: ${what} SKIPPED. Set TEST_DATABASE_URL to run it.`);
  return problem;
}

/** A schema and a key prefix of a test's own, and what removes them. */
export interface Sandbox {
  readonly schema: string;
  readonly keyPrefix: string;
  cleanup(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const id = randomBytes(6).toString('hex');
  const schema = `tabla_test_${id}`;
  const keyPrefix = `tabla_test_${id}:`;
  return {
    schema,
    keyPrefix,
    async cleanup() {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
      await deleteKeys(redisUrl, keyPrefix).catch(() => {});
    },
  };
}

/** Deletes every key under a prefix (never anything else: the machine's Redis is shared). */
export const deleteKeys = deleteKeysOf;

/** A free TCP port on 127.0.0.1 (free when asked: taken by the caller at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server of the test's own: stopped (SIGKILL, all data gone) and started again on the same port. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    probe.on('error', () => {});
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (err) {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${(err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    probe.disconnect();
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL'); // by its own pid, never by name
      await exited;
    },
    start,
  };
}

/** A TCP proxy to PostgreSQL that a test can cut (every connection dropped, new ones refused) and restore. */
export interface TcpProxy {
  readonly url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string = postgresUrl): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname || '127.0.0.1';
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

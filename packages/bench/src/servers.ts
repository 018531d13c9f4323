/**
 * The two servers under measurement, each a child process on its own free port of 127.0.0.1:
 * - ours: the built `apps/server/dist/main.js`, as `npm start` runs it (SQLite, synchronous=FULL,
 *   every update judged and stored before relay), with the per-connection and per-address limits
 *   lifted through their documented environment variables (LIFTED_LIMITS);
 * - the reference: `@y/websocket-server` (reference-server.ts), in memory.
 * `BENCH_SERVER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to both node processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { randomId, seedDemoBoard, seedEmptyBoard } from '@tabla/plan-model';
import { generateRoleTokens, SqliteStorage } from '@tabla/sync-server';

export type Role = 'facilitator' | 'editor' | 'viewer';

export interface Board {
  readonly id: string;
  readonly tokens: Readonly<Record<Role, string>>;
}

/** What both servers offer a benchmark. */
export interface BenchServer {
  readonly name: 'tabla' | 'reference';
  /** `ws://127.0.0.1:PORT/sync`: clients connect to `${wsUrl}/${boardId}?token=…`. */
  readonly wsUrl: string;
  readonly pid: number;
  /** Resident memory of the server process (VmRSS), bytes. */
  rss(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * The per-connection and per-address budgets, out of the way: every bench client shares one
 * address and sends far more than a person. Documented in the README ("Security and limits").
 * What is judged per update (roles, schema v1, cost gates, board size) and durability stay on.
 */
export const LIFTED_LIMITS: Readonly<Record<string, string>> = {
  MAX_MESSAGES_PER_SECOND: '100000',
  MESSAGE_BURST: '1000000',
  MAX_PRESENCE_PER_SECOND: '100000',
  PRESENCE_BURST: '1000000',
  MAX_WORK_PER_SECOND: String(1024 * MiB),
  WORK_BURST: String(16 * 1024 * MiB),
  MAX_ADDRESS_WORK_PER_SECOND: String(16 * 1024 * MiB),
  ADDRESS_WORK_BURST: String(64 * 1024 * MiB),
  MAX_CONNECTIONS_PER_IP: '1000000',
  MAX_PENDING_CONNECTIONS_PER_IP: '1000000',
  MAX_LOADED_BOARDS: '1000000',
  BOARDS_PER_MINUTE: '100000',
};

/** For the bad frames: refused connections do not make the next ones wait (every frame is judged). */
export const NO_REFUSAL_BACKOFF: Readonly<Record<string, string>> = { FREE_REFUSALS: '1000000', FREE_REFUSALS_PER_ADDRESS: '1000000' };

export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

const serverMain = join(dirname(createRequire(import.meta.url).resolve('@tabla/server/package.json')), 'dist', 'main.js');
const referenceMain = join(dirname(fileURLToPath(import.meta.url)), 'reference-server.js');

const nodeArgs = (): string[] => (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** A new, empty data directory for our server. */
export const newDataDir = (): string => mkdtempSync(join(tmpdir(), 'tabla-bench-'));

/**
 * `count` demo boards written straight into the SQLite database of `dataDir` (before our server
 * starts on it), as `POST /api/boards` with `template: demo` makes them (apps/server boards.ts:
 * the demo seed, the title, a token per role), without the API's rate limit or a commit each;
 * `grow` adds to each before it is stored.
 */
export async function seedDemoBoards(dataDir: string, count: number, title: string, grow: (doc: Y.Doc) => void = () => {}): Promise<Board[]> {
  const storage = SqliteStorage.open(join(dataDir, 'tabla.db'), { synchronous: 'NORMAL' });
  try {
    const boards: Board[] = [];
    for (let i = 0; i < count; i++) {
      const doc = new Y.Doc();
      seedDemoBoard(doc);
      seedEmptyBoard(doc, `${title} ${i}`);
      grow(doc);
      const id = randomId(16);
      const { tokens, records } = generateRoleTokens();
      await storage.createBoard({ id, title: `${title} ${i}`, createdAt: Date.now() }, Y.encodeStateAsUpdate(doc), records);
      doc.destroy();
      boards.push({ id, tokens: tokens as Record<Role, string> });
    }
    return boards;
  } finally {
    await storage.close();
  }
}

/** VmRSS of a live process, bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Spawns `node …args` and resolves with the port of its first JSON line `{"msg":"listening","port":…}` on stdout. */
function spawnListening(args: string[], env: NodeJS.ProcessEnv, log: string[], extraNodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeArgs(), ...extraNodeArgs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (line: string) => {
    log.push(line);
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stderr!.on('data', (d: Buffer) => keep(d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 30 s:\n${log.join('\n')}`));
    }, 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${signal ?? code}) before listening:\n${log.join('\n')}`));
    });
    let listening = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (listening || !line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) {
        listening = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, port: entry.port });
      }
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Our server as `npm start` runs it, in its own data directory; restartable on the same data. */
export class TablaServer implements BenchServer {
  readonly name = 'tabla' as const;
  private child!: ChildProcess;
  private port = 0;
  private readonly log: string[] = [];

  private constructor(
    readonly dataDir: string,
    private env: Readonly<Record<string, string>>,
    private readonly extraNodeArgs: readonly string[],
  ) {}

  /** `env`: extra settings over the defaults (e.g. LIFTED_LIMITS); the data directory is new unless given; `extraNodeArgs` e.g. a CPU profile's. */
  static async start(env: Readonly<Record<string, string>> = {}, dataDir?: string, extraNodeArgs: readonly string[] = []): Promise<TablaServer> {
    const server = new TablaServer(dataDir ?? newDataDir(), env, extraNodeArgs);
    await server.spawn();
    return server;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/sync`;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  rss(): number {
    return rssOf(this.pid);
  }

  /** A Prometheus gauge of /metrics (e.g. `tabla_process_nodejs_heap_size_used_bytes`). */
  async metric(name: string): Promise<number | null> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : null;
  }

  /** How many logged updates the server read when it last loaded `boardId` (its log line `board loaded`). */
  loadedLogLength(boardId: string): number | null {
    for (const line of [...this.log].reverse()) {
      if (!line.startsWith('{') || !line.includes('board loaded')) continue;
      const entry = JSON.parse(line) as { msg?: string; boardId?: string; storedUpdates?: number };
      if (entry.msg === 'board loaded' && entry.boardId === boardId) return entry.storedUpdates ?? null;
    }
    return null;
  }

  /** A new board through the public API (`POST /api/boards`, the admin token). */
  async createBoard(template: 'demo' | 'empty' = 'demo', title = 'Bench'): Promise<Board> {
    const res = await fetch(`${this.baseUrl}/api/boards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, template }),
    });
    if (res.status !== 201) throw new Error(`POST /api/boards: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { id: string; tokens: Record<Role, string> };
    return { id: body.id, tokens: body.tokens };
  }

  /** Stops (SIGTERM: graceful, compacts every loaded board; SIGKILL: a crash) and starts again on the same data, with `env` if given. */
  async restart(signal: NodeJS.Signals = 'SIGTERM', env?: Readonly<Record<string, string>>): Promise<void> {
    await this.stop(signal);
    if (env) this.env = env;
    await this.spawn();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const code = await stopChild(this.child, signal);
    if (signal === 'SIGTERM' && code !== 0) throw new Error(`our server exited ${code} on SIGTERM:\n${this.log.join('\n')}`);
  }

  async dispose(): Promise<void> {
    // With extra node flags (a profile), a graceful stop, so the profile is written.
    await stopChild(this.child, nodeArgs().length + this.extraNodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async spawn(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      ADMIN_TOKEN,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...this.env,
    };
    this.log.length = 0; // this process's lines only
    const { child, port } = await spawnListening(['--enable-source-maps', serverMain], env, this.log, this.extraNodeArgs);
    this.child = child;
    this.port = port;
  }
}

/** `@y/websocket-server` 0.1.1 in memory (reference-server.ts), in its own process. */
export class ReferenceServer implements BenchServer {
  readonly name = 'reference' as const;
  private readonly log: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly port: number,
  ) {}

  static async start(extraNodeArgs: readonly string[] = []): Promise<ReferenceServer> {
    const log: string[] = [];
    const { child, port } = await spawnListening([referenceMain], { PATH: process.env.PATH, HOME: process.env.HOME }, log, extraNodeArgs);
    const server = new ReferenceServer(child, port);
    server.log.push(...log);
    return server;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/sync`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  rss(): number {
    return rssOf(this.pid);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopChild(this.child, signal);
  }
}

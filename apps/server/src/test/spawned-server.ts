/**
 * The built server (`apps/server/dist/main.js`) as a child process, for the durability suite:
 * its own temp DATA_DIR, port 0 on the first start, then restarts on the same port and data;
 * stopped with any signal (SIGKILL = a crash, SIGTERM = a graceful shutdown). Its JSON log
 * lines are kept so tests can wait for events ('board unloaded', ...) instead of sleeping.
 *
 * Not shipped: tsconfig.build.json excludes src/test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Another build can be put under test (e.g. a deliberately broken copy, to see the suite fail). */
const serverMain = process.env.DURABILITY_SERVER_MAIN || join(appDir, 'dist/main.js');
export const ADMIN_TOKEN = 'durability-admin-token-0123456789';

/**
 * The suite runs the built binary; turbo builds this app before its tests
 * (`@tabla/server#test` depends on `build`). Run directly, say what is missing.
 */
export function ensureServerBuilt(): void {
  if (!existsSync(serverMain)) throw new Error(`${serverMain} is missing: run \`npm run build\` first (turbo does it for \`npm test\`).`);
}

export interface LogEntry {
  readonly msg?: string;
  readonly level?: string;
  readonly [key: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the signal to the exit (0 when the process exited by itself). */
  readonly ms: number;
}

export interface StartOptions {
  /** `TABLA_TEST_FAULTS` for this process (see src/faults.ts); none when omitted. */
  readonly faults?: string;
  /** More environment for this process (e.g. limits: `HEADER_TIMEOUT_MS`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CreatedBoard {
  readonly id: string;
  readonly tokens: { readonly facilitator: string; readonly editor: string; readonly viewer: string };
}

export class SpawnedServer {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<Exit> | null = null;
  private signalledAt = 0;
  private readonly output: string[] = [];
  private readonly errorOutput: string[] = [];
  /** JSON log lines of every process started so far, in order. */
  readonly logs: LogEntry[] = [];
  port = 0;

  private constructor(readonly dataDir: string) {}

  static async start(options: StartOptions = {}): Promise<SpawnedServer> {
    const server = SpawnedServer.prepare();
    try {
      await server.spawn(0, options);
    } catch (err) {
      rmSync(server.dataDir, { recursive: true, force: true });
      throw err;
    }
    return server;
  }

  /** A server not started yet: its DATA_DIR exists (put files there first); `restart` starts it. */
  static prepare(): SpawnedServer {
    ensureServerBuilt();
    return new SpawnedServer(mkdtempSync(join(tmpdir(), 'tabla-durability-')));
  }

  get dbFile(): string {
    return join(this.dataDir, 'tabla.db');
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/sync`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server again on the same port and data directory (after `stop`/`kill`, or first after `prepare`). */
  async restart(options: StartOptions = {}): Promise<void> {
    if (this.running) throw new Error('restart: the server is still running');
    await this.spawn(this.port, options);
  }

  /** Sends a signal now, synchronously (e.g. from inside a client's message handler). */
  kill(signal: NodeJS.Signals): void {
    if (!this.child || !this.running) return;
    this.signalledAt = performance.now();
    this.child.kill(signal);
  }

  /** Resolves when the current process has exited (by a signal or by itself). */
  exited(): Promise<Exit> {
    if (!this.exitPromise) throw new Error('no process was started');
    return this.exitPromise;
  }

  /** Signals the process and waits for its exit. */
  async stop(signal: NodeJS.Signals): Promise<Exit> {
    this.kill(signal);
    return this.exited();
  }

  /** A board through the public API, as an operator would create it. */
  async createBoard(title: string, template: 'demo' | 'empty' = 'demo'): Promise<CreatedBoard> {
    const res = await fetch(`${this.baseUrl}/api/boards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ title, template }),
    });
    if (res.status !== 201) throw new Error(`POST /api/boards: ${res.status} ${await res.text()}`);
    return (await res.json()) as CreatedBoard;
  }

  /** Resolves with the first log entry (of any start, past or future) that matches. */
  waitForLog(match: (entry: LogEntry) => boolean, timeoutMs = 5000, what = 'log line'): Promise<LogEntry> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = () => {
        const found = this.logs.find(match);
        if (found) return resolve(found);
        if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.log()}`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  /** Everything the processes printed (for failure messages). */
  log(): string {
    return this.output.join('\n');
  }

  /** Everything the processes wrote to stderr, as written. */
  stderr(): string {
    return this.errorOutput.join('');
  }

  /**
   * Reads the database with a separate read-only connection (the server may be running:
   * SQLite in WAL mode lets a reader in beside the writer).
   */
  query<T>(read: (db: Database.Database) => T): T {
    const db = new Database(this.dbFile, { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** Stored update rows of a board (not yet folded into its snapshot). */
  updateRows(boardId: string): number {
    return this.query((db) => (db.prepare('SELECT COUNT(*) AS n FROM board_updates WHERE board_id = ?').get(boardId) as { n: number }).n);
  }

  /** The snapshot's `through_seq`, or null when the board has no snapshot. */
  snapshotThroughSeq(boardId: string): number | null {
    return this.query(
      (db) => (db.prepare('SELECT through_seq FROM board_snapshots WHERE board_id = ?').get(boardId) as { through_seq: number } | undefined)?.through_seq ?? null,
    );
  }

  /** Kills whatever still runs and removes the data directory. Idempotent. */
  async dispose(): Promise<void> {
    if (this.running) await this.stop('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private spawn(port: number, options: StartOptions): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      ...options.env,
    };
    delete env.TABLA_TEST_FAULTS;
    if (options.faults) env.TABLA_TEST_FAULTS = options.faults;
    const child = spawn(process.execPath, [serverMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.signalledAt = 0;
    this.exitPromise = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) =>
        resolve({ code, signal, ms: this.signalledAt ? Math.round(performance.now() - this.signalledAt) : 0 }),
      );
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.output.push(d.toString());
      this.errorOutput.push(d.toString());
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.log()}`)), 10_000);
      void this.exitPromise!.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${exit.code ?? exit.signal}) before listening:\n${this.log()}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.output.push(line);
        if (!line.startsWith('{')) return;
        let entry: LogEntry;
        try {
          entry = JSON.parse(line) as LogEntry;
        } catch {
          return;
        }
        this.logs.push(entry);
        if (entry.msg === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          this.port = entry.port;
          resolve();
        }
      });
    });
  }
}

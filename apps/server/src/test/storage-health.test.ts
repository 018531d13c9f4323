/**
 * The built server and a disk or database in trouble (issue 9): a damaged `tabla.db` stops the
 * start with one sentence and exit status 3; a disk that refuses writes turns /readyz 503 (the
 * TABLA_TEST_FAULTS seam stands in for it: chmod does not stop root).
 */
import { randomBytes } from 'node:crypto';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SpawnedServer } from './spawned-server.js';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const track = (server: SpawnedServer) => {
  cleanups.push(() => server.dispose());
  return server;
};

/** Starts a server that must refuse to start: its exit status and what it wrote to stderr. */
async function refusedStart(server: SpawnedServer): Promise<{ code: number | null; stderr: string }> {
  const before = server.stderr().length;
  await expect(server.restart()).rejects.toThrow(/exited \(3\) before listening/);
  const { code } = await server.exited();
  return { code, stderr: server.stderr().slice(before) };
}

const DAMAGED = /^Tabla cannot start: the database \S+tabla\.db is damaged \(.+\)\. Restore it from a backup or move it away to start with an empty one\.\n$/;

describe('a damaged database at start', () => {
  it('a tabla.db of garbage bytes: one sentence on stderr, exit status 3, no stack trace', async () => {
    const server = track(SpawnedServer.prepare());
    writeFileSync(server.dbFile, randomBytes(64 * 1024));
    const { code, stderr } = await refusedStart(server);
    expect(code).toBe(3);
    expect(stderr).toMatch(DAMAGED);
    expect(stderr).toContain(server.dbFile);
    expect(stderr).toContain('file is not a database');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a real database cut in half: the same sentence and status, and the file is left as it was', async () => {
    const server = track(await SpawnedServer.start());
    for (let i = 0; i < 5; i++) await server.createBoard(`Board ${i}`, 'demo');
    await server.stop('SIGTERM'); // a clean stop folds the WAL into tabla.db
    const size = statSync(server.dbFile).size;
    truncateSync(server.dbFile, Math.floor(size / 2));

    const { code, stderr } = await refusedStart(server);
    expect(code).toBe(3);
    expect(stderr).toMatch(DAMAGED);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(statSync(server.dbFile).size).toBe(Math.floor(size / 2));
  });
});

describe('a disk that refuses writes', () => {
  it('GET /readyz is 503 with the reason, while /healthz (alive) stays 200', async () => {
    const server = track(await SpawnedServer.start({ faults: 'fail-write-probe' }));
    const readyz = await fetch(`${server.baseUrl}/readyz`, { headers: { connection: 'close' } });
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'storage refuses writes', reason: 'SQLITE_READONLY' });
    expect((await fetch(`${server.baseUrl}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
    await server.waitForLog((e) => e.msg === 'storage refuses writes', 2_000, 'the refusal in the log');
  });

  it('GET /readyz is 200 when the disk takes the probe (a real write beside and in the database)', async () => {
    const server = track(await SpawnedServer.start());
    const readyz = await fetch(`${server.baseUrl}/readyz`, { headers: { connection: 'close' } });
    expect(readyz.status).toBe(200);
    // The probe's committed write: the header's application id reads "TABL".
    expect(server.query((db) => db.pragma('application_id', { simple: true }))).toBe(0x5441424c);
  });
});

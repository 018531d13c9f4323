// Child process for the "kill -9 during writes" test in ../sqlite.test.ts.
// Usage: node kill-writer.mjs <db file> <board id>
// Appends real Yjs updates (each pushes an increasing integer onto the array 'log') to an existing
// board, in transactions of 1-4 updates, with the same pragmas as SqliteStorage (WAL, synchronous
// FULL). After each COMMIT it prints "<last seq> <first n> <last n>"; the parent SIGKILLs it mid-stream
// and checks that everything printed is in the database. Writes forever (stops after 20 s as a guard).
import Database from 'better-sqlite3';
import * as Y from 'yjs';

const [file, boardId] = process.argv.slice(2);
if (!file || !boardId) throw new Error('usage: kill-writer.mjs <db file> <board id>');

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
const insert = db.prepare('INSERT INTO board_updates (board_id, data) VALUES (?, ?)');
const commitBatch = db.transaction((updates) => {
  let seq = 0;
  for (const u of updates) seq = Number(insert.run(boardId, u).lastInsertRowid);
  return seq;
});

const doc = new Y.Doc();
const log = doc.getArray('log');
let pending = [];
doc.on('update', (u) => pending.push(u));

const deadline = Date.now() + 20_000;
let n = 0;
process.stdout.write('ready\n');
for (let batch = 0; Date.now() < deadline; batch++) {
  const first = n;
  const size = (batch % 4) + 1;
  for (let i = 0; i < size; i++) log.push([n++]);
  const seq = commitBatch.immediate(pending);
  pending = [];
  process.stdout.write(`${seq} ${first} ${n - 1}\n`); // synchronous for pipes on Linux
}
process.exit(3); // never reached when the parent kills us in time

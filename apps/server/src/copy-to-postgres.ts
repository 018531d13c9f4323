/**
 * `npm run copy-to-postgres -w @tabla/server -- --from ./data --to postgres://…`: copies every board
 * of a SQLite database (the server's `DATA_DIR/tabla.db`) into PostgreSQL, the storage the server
 * uses when `DATABASE_URL` is set. Stop the server first: what it writes during the copy is not copied.
 *
 * Per board, in one transaction on the target: the record, its working links as the stored hashes
 * (with when each was issued; revoked ones are not copied), its document as one compacted snapshot
 * (what compaction would store) with the board's last seq, client and presence bindings, and every
 * saved version. A board the target already has is left alone, so the copy never overwrites, and
 * running it again after a failure copies the boards still missing.
 *
 * `--from` is a data directory holding `tabla.db`, or the database file (`….db`); default `DATA_DIR` or
 * `./data`. `--to` defaults to `DATABASE_URL`. Relative paths are taken from where npm was run
 * (`INIT_CWD`), not from apps/server where `npm run -w` runs the script.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyStoredState, PostgresStorage, SqliteStorage, type BoardCopy, type StoredVersion } from '@tabla/sync-server';
import * as Y from 'yjs';

export interface CopyOutcome {
  /** Boards written to the target. */
  readonly copied: string[];
  /** Boards the target already had, left as they were. */
  readonly alreadyThere: string[];
}

/** The whole of one board of `from`, as `PostgresStorage.importBoard` takes it. */
async function boardCopy(from: SqliteStorage, boardId: string): Promise<BoardCopy> {
  const [board, state, tokens, records] = await Promise.all([
    from.getBoard(boardId),
    from.loadState(boardId),
    from.getTokens(boardId),
    from.listVersions(boardId),
  ]);
  if (!board || !state) throw new Error(`board ${boardId} vanished from the source during the copy`);
  // Snapshot and updates folded into one state, as the server's compaction folds them.
  const doc = new Y.Doc();
  applyStoredState(doc, state);
  const snapshot = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  const versions: StoredVersion[] = [];
  for (const record of records) {
    const version = await from.getVersion(boardId, record.id);
    if (version) versions.push(version);
  }
  return {
    board,
    snapshot,
    lastSeq: state.lastSeq,
    clientOwners: state.clientOwners,
    presenceOwners: state.presenceOwners,
    tokens,
    versions,
  };
}

/** Copies every board of `from` that `to` does not have yet, one transaction per board. */
export async function copyBoards(
  from: SqliteStorage,
  to: PostgresStorage,
  onBoard: (boardId: string, copied: boolean) => void = () => {},
): Promise<CopyOutcome> {
  const outcome: CopyOutcome = { copied: [], alreadyThere: [] };
  for (const { id } of await from.listBoards()) {
    const copied = await to.importBoard(await boardCopy(from, id));
    (copied ? outcome.copied : outcome.alreadyThere).push(id);
    onBoard(id, copied);
  }
  return outcome;
}

export interface CopyArgs {
  /** The SQLite database file. */
  readonly from: string;
  readonly to: string;
}

/** The command line, or an Error whose message says what is wrong. */
export function parseCopyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CopyArgs | Error {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (name !== '--from' && name !== '--to') return new Error(`unknown argument ${JSON.stringify(arg)} (expected --from and --to)`);
    const value = inline ?? argv[++i];
    if (!value) return new Error(`${name} needs a value`);
    given.set(name, value);
  }
  const to = given.get('--to') ?? env.DATABASE_URL;
  if (!to) return new Error('no target: give --to postgres://… or set DATABASE_URL');
  if (!/^postgres(ql)?:\/\/./.test(to)) return new Error('--to must be a postgres:// or postgresql:// URL');
  const source = resolve(env.INIT_CWD || process.cwd(), given.get('--from') ?? (env.DATA_DIR || './data'));
  // A file if there is one, or if it is named like one; else the data directory that holds tabla.db.
  const isFile = existsSync(source) ? statSync(source).isFile() : source.endsWith('.db');
  const from = isFile ? source : join(source, 'tabla.db');
  return { from, to };
}

/** The URL without its password, for messages. */
const shown = (url: string): string => url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');

/** The whole command: opens both storages, copies, reports; resolves with the exit status. */
export async function copyToPostgresCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const args = parseCopyArgs(argv, env);
  if (args instanceof Error) {
    err(`copy-to-postgres: ${args.message}`);
    return 2;
  }
  // Opening a missing file would create an empty database and "copy" nothing.
  if (!existsSync(args.from)) {
    err(`copy-to-postgres: no SQLite database at ${args.from}`);
    return 1;
  }
  let from: SqliteStorage | undefined;
  let to: PostgresStorage | undefined;
  try {
    from = SqliteStorage.open(args.from);
    to = await PostgresStorage.open(args.to);
    out(`Copying the boards of ${args.from} to ${shown(args.to)}`);
    const { copied, alreadyThere } = await copyBoards(from, to, (boardId, wasCopied) =>
      out(wasCopied ? `  copied ${boardId}` : `  ${boardId}: already there, left as it is`),
    );
    out(`Done: ${copied.length} copied, ${alreadyThere.length} already there.`);
    return 0;
  } catch (error) {
    err(`copy-to-postgres failed: ${(error as Error).message}. Boards listed above as copied are complete; run it again to copy the rest.`);
    return 1;
  } finally {
    await from?.close();
    await to?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await copyToPostgresCommand(
    process.argv.slice(2),
    process.env,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}

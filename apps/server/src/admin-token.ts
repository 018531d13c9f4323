/**
 * `npm run admin-token`: prints the admin token kept in DATA_DIR (the server prints it only on the
 * start that generated it). Reads, never creates: no token before the first start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/**
 * The token alone on stdout (so `$(npm run -s admin-token)` works), or why not on stderr with
 * status 1. DATA_DIR is resolved as config.ts resolves it, from the working directory: the root's
 * `npm run admin-token` runs where the root's `npm start` runs.
 */
export function adminTokenCommand(env: NodeJS.ProcessEnv, cwd: string): CommandResult {
  if (env.ADMIN_TOKEN) {
    return { stdout: '', stderr: 'The admin token is set by ADMIN_TOKEN in the environment; Tabla does not print it.\n', code: 1 };
  }
  const dataDir = resolve(cwd, env.DATA_DIR || './data');
  const file = join(dataDir, 'admin-token');
  const token = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!token) {
    return {
      stdout: '',
      stderr: `No admin token in ${dataDir}: Tabla creates one on its first start (npm start). Set DATA_DIR as for the server if its data is elsewhere.\n`,
      code: 1,
    };
  }
  return { stdout: `${token}\n`, stderr: '', code: 0 };
}

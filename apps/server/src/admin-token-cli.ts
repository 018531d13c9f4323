/** Entry of `npm run admin-token` (see admin-token.ts). */
import { adminTokenCommand } from './admin-token.js';

const { stdout, stderr, code } = adminTokenCommand(process.env, process.cwd());
process.stdout.write(stdout);
process.stderr.write(stderr);
process.exitCode = code;

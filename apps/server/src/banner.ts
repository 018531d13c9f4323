/**
 * What `npm start` prints for the person who runs it: where the board is, the demo links, where
 * data and logs live, how to stop, and the admin token on the start that created it (only then,
 * or when asked: `--show-admin-token`, `npm run admin-token`).
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import type { Role } from '@tabla/plan-model';
import { roleLinks } from './app.js';
import type { Config } from './config.js';

/** What the banner says about the admin token. */
export type AdminTokenNote =
  /** Printed: on the start that generated it, or on request. */
  | { readonly kind: 'show'; readonly token: string; readonly file: string; readonly generated: boolean }
  /** Kept in DATA_DIR from an earlier start: the banner says how to show it. */
  | { readonly kind: 'hidden'; readonly file: string }
  /** Came from the environment (ADMIN_TOKEN): never printed. */
  | { readonly kind: 'env' };

export interface BannerInput {
  readonly version: string;
  readonly base: string;
  readonly port: number;
  /** Listening on every interface: print the room's LAN addresses. */
  readonly lan: boolean;
  readonly lanAddresses?: readonly string[];
  /** A QR code under each LAN address (a person's terminal; not with LOG_FORMAT=json). Default true. */
  readonly qr?: boolean;
  readonly demo: { readonly id: string; readonly tokens: Record<Role, string> } | null;
  readonly admin: AdminTokenNote;
  readonly dataDir: string;
  /** Where the JSON log lines go (see logger.ts, `Logging.destination`). */
  readonly log: { readonly file: string } | 'stdout' | 'off';
}

/** The command-line flag that shows the admin token on a later start too. */
export const SHOW_ADMIN_TOKEN_FLAG = '--show-admin-token';

/** The admin token is printed on the start that generated it, or when asked; one from the environment never. */
export function adminTokenNote(config: Pick<Config, 'adminToken' | 'adminTokenSource' | 'dataDir'>, file: string, asked: boolean): AdminTokenNote {
  if (config.adminTokenSource === 'env') return { kind: 'env' };
  if (config.adminTokenSource === 'generated' || asked) return { kind: 'show', token: config.adminToken, file, generated: config.adminTokenSource === 'generated' };
  return { kind: 'hidden', file };
}

/** This server's version (apps/server/package.json, one level above both src/ and dist/). */
export function serverVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

export async function bannerText(input: BannerInput): Promise<string> {
  const lines = ['', `Tabla${input.version ? ` ${input.version}` : ''} is running at ${input.base}/`];
  if (input.lan) {
    for (const address of input.lanAddresses ?? lanAddresses()) {
      const url = `http://${address}:${input.port}/`;
      lines.push('', `On the room's network: ${url}`);
      if (input.qr ?? true) lines.push((await QRCode.toString(url, { type: 'terminal', small: true })).replace(/\n+$/, ''));
    }
  }
  if (input.demo) {
    const links = roleLinks(input.base, input.demo.id, input.demo.tokens);
    lines.push(
      '',
      'Demo board (MAKERS plan), one link per role:',
      `  facilitator  ${links.facilitator}`,
      `  coordinator  ${links.editor}`,
      `  viewer       ${links.viewer}`,
    );
  }
  lines.push('', ...adminTokenLines(input.admin));
  lines.push(
    '',
    `Data:  ${input.dataDir}`,
    `Log:   ${input.log === 'stdout' ? 'JSON lines on stdout (LOG_FORMAT=json)' : input.log === 'off' ? 'off (LOG_LEVEL=silent)' : `${input.log.file} (warnings and errors are shown here too)`}`,
    'Stop:  Ctrl+C',
  );
  return `${lines.join('\n')}\n\n`;
}

function adminTokenLines(admin: AdminTokenNote): string[] {
  switch (admin.kind) {
    case 'show':
      return [
        `Admin token (to create boards, POST /api/boards)${admin.generated ? ', shown on this first start only' : ''}:`,
        `  ${admin.token}`,
        `  kept in ${admin.file}; \`npm run admin-token\` shows it again`,
      ];
    case 'hidden':
      return [`Admin token: kept in ${admin.file}; \`npm run admin-token\` (or \`npm start -- ${SHOW_ADMIN_TOKEN_FLAG}\`) shows it`];
    case 'env':
      return ['Admin token: set by ADMIN_TOKEN (not shown)'];
  }
}

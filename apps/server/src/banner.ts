/** What `npm start` prints: where the board is, the demo links, the admin token. */
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import type { Role } from '@tabla/plan-model';
import { roleLinks } from './app.js';

export interface BannerInput {
  readonly base: string;
  readonly port: number;
  /** Listening on every interface: print the room's LAN addresses, each with a QR code. */
  readonly lan: boolean;
  readonly demo: { readonly id: string; readonly tokens: Record<Role, string> } | null;
  /** Shown only when the server generated or stored it (not when it came from the environment). */
  readonly admin: { readonly token: string; readonly file: string } | null;
  readonly lanAddresses?: readonly string[];
}

export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

export async function bannerText(input: BannerInput): Promise<string> {
  const lines = ['', `Tabla is running at ${input.base}/`];
  if (input.lan) {
    for (const address of input.lanAddresses ?? lanAddresses()) {
      const url = `http://${address}:${input.port}/`;
      lines.push('', `On the room's network: ${url}`, await QRCode.toString(url, { type: 'terminal', small: true }));
    }
  }
  if (input.demo) {
    const links = roleLinks(input.base, input.demo.id, input.demo.tokens);
    lines.push('', 'Demo board (MAKERS plan):', `  facilitator: ${links.facilitator}`, `  coordinator: ${links.editor}`, `  viewer:      ${links.viewer}`);
  }
  if (input.admin) lines.push('', `Admin token (to create boards, POST /api/boards): ${input.admin.token}`, `  kept in ${input.admin.file}`);
  return `${lines.join('\n')}\n\n`;
}

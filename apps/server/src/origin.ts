import type { IncomingMessage } from 'node:http';

/**
 * Which pages may open the sync WebSocket: the board's own origin (same host as the
 * request), plus an explicit allow-list. Requests without an Origin header are not from
 * a browser page (a script or a native client) and carry no ambient credentials to abuse.
 */
export function originPolicy(allowed: readonly string[]): (origin: string | undefined, req: IncomingMessage) => boolean {
  return (origin, req) => {
    if (origin === undefined) return true;
    if (allowed.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };
}

/**
 * Slow and silent clients (slowloris): a socket that has not yet sent a complete request costs a
 * file descriptor and parser memory while giving nothing, so it gets a deadline (Node's own header
 * and request timeouts) and each address may hold only a few such sockets at once.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Timeouts for `http.createServer`. Node answers 408 and closes a socket whose request headers
 * (or whole request) are late, also one that never sends a byte. It looks for late sockets every
 * `connectionsCheckingInterval` (default 30 s, which would triple a 10 s timeout), so that
 * interval is a tenth of the header timeout, between 100 ms and 1 s: a walk over the open
 * connections, cheap at that rate. WebSockets are not affected: an upgraded socket has left the
 * HTTP parser.
 */
export function httpTimeouts(headerTimeoutMs: number, requestTimeoutMs: number): ServerOptions {
  return {
    headersTimeout: headerTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(headerTimeoutMs / 10))),
  };
}

const TOO_MANY_PENDING = 'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export interface PendingConnections {
  /** Sockets that have not yet sent complete request headers, per address. */
  pendingAt(address: string): number;
}

/**
 * Caps the sockets of one address that have not yet sent complete request headers: over
 * `maxPerAddress`, a new one is answered 429 and closed. A socket stops counting at its first
 * request or upgrade (a WebSocket upgrade is then counted by the sync adapter until authorized),
 * or when it closes.
 *
 * Uses the TCP peer address: behind a reverse proxy every socket comes from the proxy, which
 * reads requests itself before it opens one here, so `main` leaves this off with TRUST_PROXY.
 */
export function limitPendingConnections(server: Server, maxPerAddress: number): PendingConnections {
  const pendingByAddress = new Map<string, number>();
  const addressOfPending = new Map<Socket, string>();

  const settle = (socket: Socket) => {
    const address = addressOfPending.get(socket);
    if (address === undefined) return;
    addressOfPending.delete(socket);
    const left = (pendingByAddress.get(address) ?? 1) - 1;
    if (left > 0) pendingByAddress.set(address, left);
    else pendingByAddress.delete(address);
  };

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const pending = pendingByAddress.get(address) ?? 0;
    if (pending >= maxPerAddress) {
      // Closed once the answer is out; destroy, not end: its request (should one follow) is not wanted.
      socket.end(TOO_MANY_PENDING, () => socket.destroy());
      return;
    }
    pendingByAddress.set(address, pending + 1);
    addressOfPending.set(socket, address);
    socket.once('close', () => settle(socket));
  });
  server.on('request', (req: { socket: Socket }) => settle(req.socket));
  server.on('upgrade', (req: { socket: Socket }) => settle(req.socket));

  return { pendingAt: (address) => pendingByAddress.get(address) ?? 0 };
}

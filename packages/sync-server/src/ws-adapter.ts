/**
 * Node adapter: takes WebSocket upgrades on `/sync/:boardId?token=…` of an HTTP
 * server and hands authorized sockets to the framework-free SyncServer.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode } from '@tabla/sync-protocol';
import type { SyncServer } from './sync-server.js';

export interface WsAdapterOptions {
  /** Frames over this are refused with close code 1009. */
  readonly maxFrameBytes?: number;
  /** Path prefix of the sync endpoint. */
  readonly path?: string;
  /** Returns false to refuse an upgrade from this Origin (403 before the upgrade). */
  readonly allowOrigin?: (origin: string | undefined, req: IncomingMessage) => boolean;
  /** Take the client address from X-Forwarded-For (only behind a reverse proxy you run). */
  readonly trustProxy?: boolean;
  /**
   * Upgrades of one address whose authorization has not finished; over it, 429 before the
   * upgrade. Default 20. Authorization is a storage read: a flood of upgrades must not queue
   * unbounded work and sockets behind a slow store.
   */
  readonly maxPendingUpgradesPerIp?: number;
  /** An upgrade not authorized within this is answered 503 and closed. Default 10 000 ms. */
  readonly authorizeTimeoutMs?: number;
}

/** The client address: behind a trusted proxy, the entry that proxy appended (the last one; earlier ones are the client's say). */
function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const last = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(',').at(-1)?.trim();
  return last || req.socket.remoteAddress || 'unknown';
}

export function attachSyncServer(server: Server, sync: SyncServer, options: WsAdapterOptions = {}): WebSocketServer {
  const prefix = `${options.path ?? '/sync'}/`;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 1024 * 1024 });
  const maxPending = options.maxPendingUpgradesPerIp ?? 20;
  const authorizeTimeoutMs = options.authorizeTimeoutMs ?? 10_000;
  const pendingByIp = new Map<string, number>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its error listener off an upgrading socket; until ws adds its own, a peer's reset
    // (e.g. while authorization is pending) would be an unhandled 'error' and end the process.
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(prefix)) return reject(socket, 404, 'Not Found');
    if (options.allowOrigin && !options.allowOrigin(req.headers.origin, req)) return reject(socket, 403, 'Forbidden');
    let boardId: string;
    try {
      boardId = decodeURIComponent(url.pathname.slice(prefix.length));
    } catch {
      return reject(socket, 400, 'Bad Request');
    }
    const token = url.searchParams.get('token');
    const clientKey = url.searchParams.get('key');
    if (clientKey !== null && !/^[A-Za-z0-9_-]{16,128}$/.test(clientKey)) return reject(socket, 400, 'Bad Request');
    const ip = clientIp(req, options.trustProxy ?? false);
    const pending = pendingByIp.get(ip) ?? 0;
    if (pending >= maxPending) return reject(socket, 429, 'Too Many Requests');
    pendingByIp.set(ip, pending + 1);
    // Exactly once per upgrade, whichever comes first: the answer, the deadline or the client leaving.
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(deadline);
      socket.off('close', finish);
      socket.off('end', hungUp);
      const left = (pendingByIp.get(ip) ?? 1) - 1;
      if (left > 0) pendingByIp.set(ip, left);
      else pendingByIp.delete(ip);
      return true;
    };
    const deadline = setTimeout(() => {
      if (finish()) reject(socket, 503, 'Service Unavailable');
    }, authorizeTimeoutMs);
    // A client that hung up (HTTP sockets stay half-open) wants no answer: its slot is free now.
    const hungUp = () => {
      if (finish()) socket.destroy();
    };
    socket.once('close', finish);
    socket.once('end', hungUp);
    sync.authorize(boardId, token).then(
      (access) => {
        if (!finish()) return; // timed out or gone: nothing to upgrade
        wss.handleUpgrade(req, socket, head, (ws) => {
          // First thing: a protocol error on a socket nobody listens to would crash the process
          // (e.g. an unmasked frame right after a refusal). The core adds its own listener too.
          ws.on('error', () => {});
          // Refused right after the upgrade, with a close code a browser can read
          // (an HTTP status before it is invisible to page scripts). No document data is sent.
          if (!access) ws.close(CloseCode.unauthorized, 'unauthorized');
          else sync.handleConnection(ws, boardId, access, { ip, clientKey });
        });
      },
      () => {
        if (finish()) reject(socket, 503, 'Service Unavailable');
      },
    );
  });
  return wss;
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

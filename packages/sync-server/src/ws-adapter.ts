/**
 * Node adapter: takes WebSocket upgrades on `/sync/:boardId?token=…` of an HTTP
 * server and hands authorized sockets to the framework-free SyncServer.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode } from './protocol.js';
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

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
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
    sync.authorize(boardId, token).then(
      (access) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          // First thing: a protocol error on a socket nobody listens to would crash the process
          // (e.g. an unmasked frame right after a refusal). The core adds its own listener too.
          ws.on('error', () => {});
          // Refused right after the upgrade, with a close code a browser can read
          // (an HTTP status before it is invisible to page scripts). No document data is sent.
          if (!access) ws.close(CloseCode.unauthorized, 'unauthorized');
          else sync.handleConnection(ws, boardId, access, { ip: clientIp(req, options.trustProxy ?? false), clientKey });
        }),
      () => reject(socket, 503, 'Service Unavailable'),
    );
  });
  return wss;
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

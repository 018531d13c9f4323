/**
 * The reference server: `@y/websocket-server` 0.1.1 (the y-websocket server), in memory (no
 * YPERSISTENCE), wired as its own `bin/server.js` wires it (an HTTP server, `ws` without a
 * server of its own, `setupWSConnection` per socket), on a free port of 127.0.0.1. It uses the
 * `ws` our server uses (8.x), so the two differ in what they do per message, not in the socket
 * library. Started by servers.ts as a child process; prints `{"msg":"listening","port":…}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);

const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  response.end('okay');
});
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));

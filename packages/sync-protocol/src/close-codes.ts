/**
 * The close codes of a sync connection, spelled once for the server and the board alike.
 * 1xxx are WebSocket's own; 44xx mirror HTTP statuses, 45xx server faults. The stock
 * y-websocket client treats 4400-4499 as final (it does not reconnect), every other code as
 * transient.
 */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  messageTooBig: 1009,
  badMessage: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  /** Presence that does not match the link (role, municipality, device): closed, but nothing of the document is at stake. */
  presenceRefused: 4409,
  documentTooLarge: 4413,
  invalidUpdate: 4422,
  tooManyRequests: 4429,
  storageFailed: 4500,
  unavailable: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const closeCodeName = (code: CloseCode): string =>
  Object.entries(CloseCode).find(([, c]) => c === code)?.[0] ?? String(code);

/** The reason given with 4401 when the server closes the connections of a link just revoked or replaced. */
export const LINK_REVOKED_REASON = 'link revoked';

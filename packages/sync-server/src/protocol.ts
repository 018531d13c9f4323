/**
 * The y-websocket wire protocol, and the close codes this server uses. Browser-safe (only
 * lib0): the board app imports it as `@tabla/sync-server/protocol`, so both ends spell the
 * codes and Tabla's flush message once.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;
/**
 * Tabla's extension (stock y-websocket clients never send it): a client sends `[100, n]`
 * (n: varuint) after local changes; the server answers `[100, n]` to that connection alone,
 * once every update the connection sent before the flush is durably stored.
 */
export const messageFlush = 100;

export const syncStep1 = 0;
export const syncStep2 = 1;
export const syncUpdate = 2;

/** Close codes: 1xxx are WebSocket's own; 44xx mirror HTTP statuses, 45xx server faults. */
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

export type IncomingMessage =
  | { readonly kind: 'sync-step-1'; readonly stateVector: Uint8Array }
  | { readonly kind: 'update'; readonly update: Uint8Array }
  | { readonly kind: 'awareness'; readonly update: Uint8Array }
  | { readonly kind: 'query-awareness' }
  | { readonly kind: 'flush'; readonly n: number };

/**
 * Decodes one client frame. Throws on anything malformed (truncated varints, lengths
 * past the end, unknown types, trailing bytes): the caller closes the connection.
 */
export function decodeMessage(frame: Uint8Array): IncomingMessage {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  let message: IncomingMessage;
  switch (type) {
    case messageSync: {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === syncStep1) message = { kind: 'sync-step-1', stateVector: payload };
      else if (step === syncStep2 || step === syncUpdate) message = { kind: 'update', update: payload };
      else throw new Error(`unknown sync step ${step}`);
      break;
    }
    case messageAwareness:
      message = { kind: 'awareness', update: decoding.readVarUint8Array(decoder) };
      break;
    case messageQueryAwareness:
      message = { kind: 'query-awareness' };
      break;
    case messageFlush:
      message = { kind: 'flush', n: decoding.readVarUint(decoder) };
      break;
    default:
      throw new Error(`unknown message type ${type}`);
  }
  // A frame may be a view into a larger pooled buffer: a length that runs past the
  // frame's end would read a neighbour's bytes instead of throwing.
  if (decoder.pos > frame.length) throw new Error('length past the end of the frame');
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
  return message;
}

/**
 * Whether an awareness update is well formed, checked completely before it is applied:
 * y-protocols applies the states before a malformed one, ignores trailing bytes and
 * accepts any JSON. Each state must be a JSON object, or null (= gone).
 */
/** Presence states are small records; deeper nesting is refused. */
const MAX_AWARENESS_DEPTH = 8;

/** Nesting depth of a JSON value, without recursion (a hostile value may be thousands deep). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_AWARENESS_DEPTH) return max;
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  /** A JSON object, or null (the client left). */
  readonly state: Record<string, unknown> | null;
}

/** The entries of an awareness update, or null when it is malformed (any state not an object or null, trailing bytes). */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] | null {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state: unknown = JSON.parse(decoding.readVarString(decoder));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) return null;
      if (depthOf(state) > MAX_AWARENESS_DEPTH) return null; // re-encoding it later would overflow the stack
      entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    return decoder.pos === update.length ? entries : null;
  } catch {
    return null;
  }
}

/** An awareness update of these entries (the inverse of decodeAwarenessUpdate). */
export const encodeAwarenessEntries = (entries: readonly AwarenessEntry[]): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const { clientId, clock, state } of entries) {
      encoding.writeVarUint(e, clientId);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, JSON.stringify(state));
    }
  });

export const isWellFormedAwarenessUpdate = (update: Uint8Array): boolean => decodeAwarenessUpdate(update) !== null;

const framed = (write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncStep1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const encodeSyncStep2 = (update: Uint8Array): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncStep2);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeUpdate = (update: Uint8Array): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncUpdate);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeAwareness = (update: Uint8Array): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, messageAwareness);
    encoding.writeVarUint8Array(e, update);
  });

/** The answer to a flush: everything the connection sent before flush `n` is stored. */
export const encodeFlushAck = (n: number): Uint8Array =>
  framed((e) => {
    encoding.writeVarUint(e, messageFlush);
    encoding.writeVarUint(e, n);
  });

/**
 * The frames of the y-websocket protocol, plus Tabla's flush extension: numbers by name, one
 * decoder for what a client sends, and the encoders both ends use.
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

/** The bytes `write` puts in a fresh encoder (internal: not exported by the package). */
export const framed = (write: (encoder: encoding.Encoder) => void): Uint8Array<ArrayBuffer> => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncStep1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const encodeSyncStep2 = (update: Uint8Array): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncStep2);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeUpdate = (update: Uint8Array): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, messageSync);
    encoding.writeVarUint(e, syncUpdate);
    encoding.writeVarUint8Array(e, update);
  });

/** An awareness frame carrying `update` (an awareness update, see encodeAwarenessEntries). */
export const encodeAwareness = (update: Uint8Array): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, messageAwareness);
    encoding.writeVarUint8Array(e, update);
  });

/** A client's flush `n`: "tell me when everything I sent before this is stored". */
export const encodeFlush = (n: number): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, messageFlush);
    encoding.writeVarUint(e, n);
  });

/** The answer to a flush: everything the connection sent before flush `n` is stored (the same bytes, sent back). */
export const encodeFlushAck = encodeFlush;

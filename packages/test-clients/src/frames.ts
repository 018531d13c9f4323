/**
 * Frames of the y-websocket protocol, as a client writes and reads them: the encoders are
 * @tabla/sync-protocol's (the server's own codec), plus what only tests need (any JSON as an
 * awareness state, a hand-made update, a reader of server frames).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  type AwarenessEntry,
  decodeAwarenessUpdate,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeUpdate,
  messageAwareness,
  messageSync,
  syncStep1,
  syncStep2,
  syncUpdate,
} from '@tabla/sync-protocol';

export const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

export const updateFrame = (update: Uint8Array): Uint8Array => encodeUpdate(update);

export const syncStep1Frame = (stateVector: Uint8Array): Uint8Array => encodeSyncStep1(stateVector);

export const awarenessFrame = (payload: Uint8Array): Uint8Array => encodeAwareness(payload);

/**
 * An awareness update (the payload of an awareness frame) for one client. `state` may be any
 * JSON, including what the server must refuse (a number, an array).
 */
export const awarenessPayload = (clientID: number, clock: number, state: unknown): Uint8Array =>
  encodeAwarenessEntries([{ clientId: clientID, clock, state: state as AwarenessEntry['state'] }]);

/**
 * An update holding one GC struct of `client` covering clocks [clock, clock + length): no
 * content, yet it claims that clock range (update format v1: clients, then per client the
 * struct count, client id and first clock, the structs (GC = info byte 0 and a length), then
 * an empty delete set).
 */
export const gcUpdate = (client: number, clock: number, length: number): Uint8Array =>
  frame((e) => {
    for (const n of [1, 1, client, clock]) encoding.writeVarUint(e, n); // 1 client, 1 struct, client, clock
    encoding.writeUint8(e, 0); // GC
    encoding.writeVarUint(e, length);
    encoding.writeVarUint(e, 0); // empty delete set
  });

export type ServerFrame =
  | { readonly type: 'sync-step-1'; readonly payload: Uint8Array }
  | { readonly type: 'sync-step-2'; readonly payload: Uint8Array }
  | { readonly type: 'update'; readonly payload: Uint8Array }
  | { readonly type: 'awareness'; readonly states: Map<number, { clock: number; state: unknown }> }
  | { readonly type: 'other'; readonly raw: Uint8Array };

/**
 * Decodes a frame the server sent. Not the codec's decodeMessage: that one reads client frames
 * and does not tell step 2 from an update. An awareness update the codec finds malformed (the
 * server never sends one) is `other`.
 */
export function parseServerFrame(data: Uint8Array): ServerFrame {
  const d = decoding.createDecoder(data);
  const type = decoding.readVarUint(d);
  if (type === messageSync) {
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === syncStep1) return { type: 'sync-step-1', payload };
    if (step === syncStep2) return { type: 'sync-step-2', payload };
    if (step === syncUpdate) return { type: 'update', payload };
  }
  if (type === messageAwareness) {
    const entries = decodeAwarenessUpdate(decoding.readVarUint8Array(d));
    if (entries) return { type: 'awareness', states: new Map(entries.map(({ clientId, clock, state }) => [clientId, { clock, state }])) };
  }
  return { type: 'other', raw: data };
}

/**
 * Frames of the y-websocket protocol, as a client writes and reads them (with lib0: this
 * package cannot use @tabla/sync-server's codec, whose own tests depend on it).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

export const updateFrame = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
  });

export const syncStep1Frame = (stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const awarenessFrame = (payload: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, payload);
  });

/** An awareness update (the payload of an awareness frame) for one client. */
export const awarenessPayload = (clientID: number, clock: number, state: unknown): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, clientID);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  });

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

/** Decodes a frame the server sent. */
export function parseServerFrame(data: Uint8Array): ServerFrame {
  const d = decoding.createDecoder(data);
  const type = decoding.readVarUint(d);
  if (type === 0) {
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === 0) return { type: 'sync-step-1', payload };
    if (step === 1) return { type: 'sync-step-2', payload };
    if (step === 2) return { type: 'update', payload };
  }
  if (type === 1) {
    const a = decoding.createDecoder(decoding.readVarUint8Array(d));
    const states = new Map<number, { clock: number; state: unknown }>();
    const n = decoding.readVarUint(a);
    for (let i = 0; i < n; i++) {
      const clientID = decoding.readVarUint(a);
      const clock = decoding.readVarUint(a);
      states.set(clientID, { clock, state: JSON.parse(decoding.readVarString(a)) });
    }
    return { type: 'awareness', states };
  }
  return { type: 'other', raw: data };
}

/** `frame` followed by `neighbour` in one buffer; returns a view of `frame` only (ws hands out such slices). */
export function viewBefore(frame: Uint8Array, neighbour: Uint8Array): Uint8Array {
  const buf = new Uint8Array(frame.length + neighbour.length);
  buf.set(frame);
  buf.set(neighbour, frame.length);
  return buf.subarray(0, frame.length);
}

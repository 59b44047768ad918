/**
 * `buffer`'s bytes from `start` to `end`: the buffer itself when that is all of it, else a view
 * of them. On Bun a Buffer view is an object and a call into the runtime (about 0.4 µs each in
 * a gateway's profile), and on the data path most reads hold exactly one frame (a client's
 * Query) or one whole answer (a server's RowDescription to ReadyForQuery).
 */
export function wholeOrPart<T extends Uint8Array>(buffer: T, start: number, end: number): T {
  return start === 0 && end === buffer.byteLength ? buffer : (buffer.subarray(start, end) as T);
}

/**
 * Answers a client the gateway cannot serve with a proper Postgres error instead of a reset:
 * declines SSL/GSS encryption if asked, waits for the startup message, sends a FATAL
 * ErrorResponse and closes. Drivers then show the message and the SQLSTATE.
 */
import type { Socket } from 'node:net';
import { GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from '../protocol/constants';
import { serializeErrorResponse } from '../protocol/error-response';

export function refuseConnection(client: Socket, error: { code: string; message: string; hint?: string }, buffered: Buffer = Buffer.alloc(0)): void {
  let pending = buffered;
  const onData = (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const length = pending.readInt32BE(0);
      const code = pending.readInt32BE(4);
      if (length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE)) {
        client.write('N');
        pending = pending.subarray(8);
        continue;
      }
      client.off('data', onData);
      client.end(serializeErrorResponse({ code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }));
      return;
    }
  };
  client.on('data', onData);
  client.setTimeout(10_000, () => client.destroy());
  if (pending.length > 0) {
    const first = pending;
    pending = Buffer.alloc(0);
    onData(first);
  }
}

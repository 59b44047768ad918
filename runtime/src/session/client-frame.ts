/**
 * A logged-in client's frame as a session queues it: its code, its bytes (owned) and its
 * decoded message. Every frame is checked once, as it arrives, inside the session's error
 * boundary: a malformed body ends that connection with 08P01 there and then, and nothing
 * later (routing, pipelining, the pool) ever decodes client bytes again.
 */
import { FrontendCode } from '../protocol/codes';
import { decodeFrontend } from '../protocol/decode-frontend';
import type { FrontendMessage } from '../protocol/messages';
import { ProtocolError } from '../protocol/protocol-error';

export interface ClientFrame {
  readonly code: number;
  /** The whole frame (code and length included), as it will be forwarded. */
  readonly bytes: Buffer;
  /** The decoded message; CopyData alone is never decoded (its payload is opaque and may be large). */
  readonly message: FrontendMessage | undefined;
}

/** Messages without a body share one decoded value each: no allocation per Sync. */
const BODILESS: ReadonlyMap<number, FrontendMessage> = new Map<number, FrontendMessage>([
  [FrontendCode.Sync, { type: 'sync' }],
  [FrontendCode.Flush, { type: 'flush' }],
  [FrontendCode.Terminate, { type: 'terminate' }],
  [FrontendCode.CopyDone, { type: 'copyDone' }],
]);

/** The messages a client may send once logged in (PasswordMessage belongs to the login). */
const SESSION_CODES = new Set<number>([
  FrontendCode.Query,
  FrontendCode.Parse,
  FrontendCode.Bind,
  FrontendCode.Describe,
  FrontendCode.Execute,
  FrontendCode.Close,
  FrontendCode.FunctionCall,
  FrontendCode.CopyData,
  FrontendCode.CopyFail,
  ...BODILESS.keys(),
]);

/**
 * Checks and decodes a frame of a logged-in client. Throws ProtocolError (and only that) for
 * a message type a session may not send or a body that does not hold its fields.
 */
export function readClientFrame(code: number, bytes: Buffer): ClientFrame {
  if (!SESSION_CODES.has(code)) throw new ProtocolError(`unexpected frontend message type ${printable(code)} in a session`);
  if (code === FrontendCode.CopyData) return { code, bytes, message: undefined };
  const bodiless = BODILESS.get(code);
  if (bodiless) {
    if (bytes.length !== 5) throw new ProtocolError(`${bodiless.type} message with a body of ${bytes.length - 5} byte(s)`);
    return { code, bytes, message: bodiless };
  }
  return { code, bytes, message: decodeFrontend(code, bytes, 5, bytes.length) };
}

function printable(code: number): string {
  return code > 31 && code < 127 ? `'${String.fromCharCode(code)}'` : String(code);
}

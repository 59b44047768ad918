/**
 * The bodies 'p' carries during authentication: PasswordMessage (a string),
 * SASLInitialResponse (mechanism, then an int32-prefixed response) and SASLResponse (raw).
 */
import { BufferReader } from './buffer-reader';
import { BufferWriter } from './buffer-writer';

export function decodePasswordMessage(data: Buffer): string {
  const reader = new BufferReader(data);
  const password = reader.cstring();
  reader.done();
  return password;
}

export interface SaslInitialResponse {
  readonly mechanism: string;
  /** null when the client sent no initial response (length -1). */
  readonly response: Buffer | null;
}

export function decodeSaslInitialResponse(data: Buffer): SaslInitialResponse {
  const reader = new BufferReader(data);
  const mechanism = reader.cstring();
  const response = reader.nullableBytes();
  reader.done();
  return { mechanism, response: response && Buffer.from(response) };
}

export function encodeSaslInitialResponse(message: SaslInitialResponse): Buffer {
  return new BufferWriter(64).cstring(message.mechanism).nullableBytes(message.response).take();
}

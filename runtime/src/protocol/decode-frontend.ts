/** Decodes one frontend frame (from MessageFramer) into a FrontendMessage. */
import { BufferReader } from './buffer-reader';
import { FrontendCode } from './codes';
import { CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from './constants';
import type { FrontendMessage } from './messages';
import { ProtocolError } from './protocol-error';

/** Decodes an untyped startup-phase frame: StartupMessage, SSLRequest, GSSENCRequest or CancelRequest. */
export function decodeStartupFrame(buffer: Buffer, bodyStart: number, end: number): FrontendMessage {
  const reader = new BufferReader(buffer, bodyStart, end);
  const code = reader.int32();
  if (code === SSL_REQUEST_CODE) {
    reader.done();
    return { type: 'sslRequest' };
  }
  if (code === GSSENC_REQUEST_CODE) {
    reader.done();
    return { type: 'gssEncRequest' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = reader.int32();
    const secretKey = reader.int32();
    reader.done();
    return { type: 'cancelRequest', processId, secretKey };
  }
  const parameters: Record<string, string> = {};
  for (;;) {
    const name = reader.cstring();
    if (name === '') break;
    parameters[name] = reader.cstring();
  }
  reader.done();
  return { type: 'startup', protocolVersion: code, parameters };
}

/** Decodes a typed frame; unknown codes are a protocol violation. */
export function decodeFrontend(code: number, buffer: Buffer, bodyStart: number, end: number): FrontendMessage {
  const reader = new BufferReader(buffer, bodyStart, end);
  const message = decodeBody(code, reader);
  reader.done();
  return message;
}

function decodeBody(code: number, reader: BufferReader): FrontendMessage {
  switch (code) {
    case FrontendCode.Query:
      return { type: 'query', sql: reader.cstring() };
    case FrontendCode.Parse: {
      const name = reader.cstring();
      const sql = reader.cstring();
      const parameterTypes = int32List(reader, reader.int16(), true);
      return { type: 'parse', name, sql, parameterTypes };
    }
    case FrontendCode.Bind: {
      const portal = reader.cstring();
      const statement = reader.cstring();
      const parameterFormats = int16List(reader, reader.int16());
      const parameters = valueList(reader, reader.int16());
      const resultFormats = int16List(reader, reader.int16());
      return { type: 'bind', portal, statement, parameterFormats, parameters, resultFormats };
    }
    case FrontendCode.Describe:
      return { type: 'describe', target: target(reader.byte()), name: reader.cstring() };
    case FrontendCode.Execute:
      return { type: 'execute', portal: reader.cstring(), maxRows: reader.int32() };
    case FrontendCode.Close:
      return { type: 'close', target: target(reader.byte()), name: reader.cstring() };
    case FrontendCode.Sync:
      return { type: 'sync' };
    case FrontendCode.Flush:
      return { type: 'flush' };
    case FrontendCode.Terminate:
      return { type: 'terminate' };
    case FrontendCode.CopyData:
      return { type: 'copyData', data: Buffer.from(reader.rest()) };
    case FrontendCode.CopyDone:
      return { type: 'copyDone' };
    case FrontendCode.CopyFail:
      return { type: 'copyFail', message: reader.cstring() };
    case FrontendCode.Password:
      return { type: 'password', data: Buffer.from(reader.rest()) };
    case FrontendCode.FunctionCall: {
      const functionId = reader.int32();
      const argumentFormats = int16List(reader, reader.int16());
      const args = valueList(reader, reader.int16());
      return { type: 'functionCall', functionId, argumentFormats, arguments: args, resultFormat: reader.int16() };
    }
    default:
      throw new ProtocolError(`unknown frontend message type ${code > 31 && code < 127 ? `'${String.fromCharCode(code)}'` : code}`);
  }
}

function target(byte: number): 'S' | 'P' {
  if (byte === 0x53) return 'S';
  if (byte === 0x50) return 'P';
  throw new ProtocolError(`Describe/Close target must be 'S' or 'P', got ${byte}`);
}

export function int16List(reader: BufferReader, count: number): number[] {
  if (count < 0) throw new ProtocolError(`negative count ${count}`);
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(reader.int16());
  return values;
}

export function int32List(reader: BufferReader, count: number, unsigned = false): number[] {
  if (count < 0) throw new ProtocolError(`negative count ${count}`);
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(unsigned ? reader.uint32() : reader.int32());
  return values;
}

/** `count` length-prefixed values (NULL as -1), as in Bind, FunctionCall and DataRow. */
export function valueList(reader: BufferReader, count: number): (Buffer | null)[] {
  if (count < 0) throw new ProtocolError(`negative value count ${count}`);
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) values.push(copyOrNull(reader.nullableBytes()));
  return values;
}

/** Decoded values outlive the frame buffer, which the framer reuses. */
export function copyOrNull(value: Buffer | null): Buffer | null {
  return value === null ? null : Buffer.from(value);
}

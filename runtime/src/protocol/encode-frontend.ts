/** Serializes FrontendMessages: pure functions over one reused BufferWriter. */
import { BufferWriter } from './buffer-writer';
import { CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from './constants';
import type { FrontendMessage } from './messages';

const writer = new BufferWriter();

export function encodeFrontend(message: FrontendMessage): Buffer {
  writeFrontend(writer, message);
  return writer.take();
}

/** Appends `message` to `out` (several messages can then go out in one write). */
export function writeFrontend(out: BufferWriter, message: FrontendMessage): void {
  switch (message.type) {
    case 'startup':
      out.message('').int32(message.protocolVersion);
      for (const [name, value] of Object.entries(message.parameters)) out.cstring(name).cstring(value);
      out.byte(0);
      return;
    case 'sslRequest':
      out.message('').int32(SSL_REQUEST_CODE);
      return;
    case 'gssEncRequest':
      out.message('').int32(GSSENC_REQUEST_CODE);
      return;
    case 'cancelRequest':
      out.message('').int32(CANCEL_REQUEST_CODE).int32(message.processId).int32(message.secretKey);
      return;
    case 'password':
      out.message('p').bytes(message.data);
      return;
    case 'query':
      out.message('Q').cstring(message.sql);
      return;
    case 'parse':
      out.message('P').cstring(message.name).cstring(message.sql).int16(message.parameterTypes.length);
      for (const oid of message.parameterTypes) out.uint32(oid);
      return;
    case 'bind':
      out.message('B').cstring(message.portal).cstring(message.statement).int16(message.parameterFormats.length);
      for (const format of message.parameterFormats) out.int16(format);
      out.int16(message.parameters.length);
      for (const value of message.parameters) out.nullableBytes(value);
      out.int16(message.resultFormats.length);
      for (const format of message.resultFormats) out.int16(format);
      return;
    case 'describe':
      out.message('D').byte(message.target.charCodeAt(0)).cstring(message.name);
      return;
    case 'execute':
      out.message('E').cstring(message.portal).int32(message.maxRows);
      return;
    case 'close':
      out.message('C').byte(message.target.charCodeAt(0)).cstring(message.name);
      return;
    case 'sync':
      out.message('S');
      return;
    case 'flush':
      out.message('H');
      return;
    case 'terminate':
      out.message('X');
      return;
    case 'copyData':
      out.message('d').bytes(message.data);
      return;
    case 'copyDone':
      out.message('c');
      return;
    case 'copyFail':
      out.message('f').cstring(message.message);
      return;
    case 'functionCall':
      out.message('F').int32(message.functionId).int16(message.argumentFormats.length);
      for (const format of message.argumentFormats) out.int16(format);
      out.int16(message.arguments.length);
      for (const value of message.arguments) out.nullableBytes(value);
      out.int16(message.resultFormat);
      return;
  }
}

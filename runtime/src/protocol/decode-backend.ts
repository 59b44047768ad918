/** Decodes one backend frame (from MessageFramer) into a BackendMessage. */
import { BufferReader } from './buffer-reader';
import { AuthKind, BackendCode } from './codes';
import { copyOrNull, int16List, int32List, valueList } from './decode-frontend';
import type { BackendMessage, FieldDescription } from './messages';
import { ProtocolError } from './protocol-error';

export function decodeBackend(code: number, buffer: Buffer, bodyStart: number, end: number): BackendMessage {
  const reader = new BufferReader(buffer, bodyStart, end);
  const message = decodeBody(code, reader);
  reader.done();
  return message;
}

function decodeBody(code: number, reader: BufferReader): BackendMessage {
  switch (code) {
    case BackendCode.Authentication:
      return decodeAuthentication(reader);
    case BackendCode.BackendKeyData:
      return { type: 'backendKeyData', processId: reader.int32(), secretKey: reader.int32() };
    case BackendCode.BindComplete:
      return { type: 'bindComplete' };
    case BackendCode.CloseComplete:
      return { type: 'closeComplete' };
    case BackendCode.ParseComplete:
      return { type: 'parseComplete' };
    case BackendCode.NoData:
      return { type: 'noData' };
    case BackendCode.EmptyQueryResponse:
      return { type: 'emptyQueryResponse' };
    case BackendCode.PortalSuspended:
      return { type: 'portalSuspended' };
    case BackendCode.CopyDone:
      return { type: 'copyDone' };
    case BackendCode.CommandComplete:
      return { type: 'commandComplete', tag: reader.cstring() };
    case BackendCode.CopyData:
      return { type: 'copyData', data: Buffer.from(reader.rest()) };
    case BackendCode.CopyInResponse:
    case BackendCode.CopyOutResponse:
    case BackendCode.CopyBothResponse: {
      const type = code === BackendCode.CopyInResponse ? 'copyInResponse' : code === BackendCode.CopyOutResponse ? 'copyOutResponse' : 'copyBothResponse';
      const format = reader.byte();
      return { type, format, columnFormats: int16List(reader, reader.int16()) };
    }
    case BackendCode.DataRow:
      return { type: 'dataRow', values: valueList(reader, reader.int16()) };
    case BackendCode.ErrorResponse:
      return { type: 'errorResponse', fields: decodeFields(reader) };
    case BackendCode.NoticeResponse:
      return { type: 'noticeResponse', fields: decodeFields(reader) };
    case BackendCode.FunctionCallResponse:
      return { type: 'functionCallResponse', result: copyOrNull(reader.nullableBytes()) };
    case BackendCode.NegotiateProtocolVersion: {
      const newestMinorVersion = reader.int32();
      const count = reader.int32();
      if (count < 0) throw new ProtocolError(`negative option count ${count}`);
      const unrecognized: string[] = [];
      for (let i = 0; i < count; i++) unrecognized.push(reader.cstring());
      return { type: 'negotiateProtocolVersion', newestMinorVersion, unrecognized };
    }
    case BackendCode.NotificationResponse:
      return { type: 'notificationResponse', processId: reader.int32(), channel: reader.cstring(), payload: reader.cstring() };
    case BackendCode.ParameterDescription:
      return { type: 'parameterDescription', typeOids: int32List(reader, reader.int16(), true) };
    case BackendCode.ParameterStatus:
      return { type: 'parameterStatus', name: reader.cstring(), value: reader.cstring() };
    case BackendCode.ReadyForQuery: {
      const status = String.fromCharCode(reader.byte());
      if (status !== 'I' && status !== 'T' && status !== 'E') throw new ProtocolError(`invalid transaction status '${status}'`);
      return { type: 'readyForQuery', status };
    }
    case BackendCode.RowDescription: {
      const count = reader.int16();
      if (count < 0) throw new ProtocolError(`negative field count ${count}`);
      const fields: FieldDescription[] = [];
      for (let i = 0; i < count; i++) {
        fields.push({
          name: reader.cstring(),
          tableOid: reader.uint32(),
          columnAttribute: reader.int16(),
          typeOid: reader.uint32(),
          typeSize: reader.int16(),
          typeModifier: reader.int32(),
          format: reader.int16(),
        });
      }
      return { type: 'rowDescription', fields };
    }
    default:
      throw new ProtocolError(`unknown backend message type ${code > 31 && code < 127 ? `'${String.fromCharCode(code)}'` : code}`);
  }
}

function decodeAuthentication(reader: BufferReader): BackendMessage {
  const kind = reader.int32();
  switch (kind) {
    case AuthKind.Ok:
      return { type: 'authenticationOk' };
    case AuthKind.KerberosV5:
      return { type: 'authenticationKerberosV5' };
    case AuthKind.CleartextPassword:
      return { type: 'authenticationCleartextPassword' };
    case AuthKind.MD5Password:
      return { type: 'authenticationMD5Password', salt: Buffer.from(reader.bytes(4)) };
    case AuthKind.SCMCredential:
      return { type: 'authenticationSCMCredential' };
    case AuthKind.GSS:
      return { type: 'authenticationGSS' };
    case AuthKind.GSSContinue:
      return { type: 'authenticationGSSContinue', data: Buffer.from(reader.rest()) };
    case AuthKind.SSPI:
      return { type: 'authenticationSSPI' };
    case AuthKind.SASL: {
      const mechanisms: string[] = [];
      for (;;) {
        const mechanism = reader.cstring();
        if (mechanism === '') break;
        mechanisms.push(mechanism);
      }
      return { type: 'authenticationSASL', mechanisms };
    }
    case AuthKind.SASLContinue:
      return { type: 'authenticationSASLContinue', data: Buffer.from(reader.rest()) };
    case AuthKind.SASLFinal:
      return { type: 'authenticationSASLFinal', data: Buffer.from(reader.rest()) };
    default:
      throw new ProtocolError(`unknown authentication request ${kind}`);
  }
}

function decodeFields(reader: BufferReader): Record<string, string> {
  const fields: Record<string, string> = {};
  for (;;) {
    const code = reader.byte();
    if (code === 0) break;
    fields[String.fromCharCode(code)] = reader.cstring();
  }
  return fields;
}

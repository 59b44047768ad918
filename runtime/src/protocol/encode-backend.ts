/** Serializes BackendMessages: pure functions over one reused BufferWriter. */
import { BufferWriter } from './buffer-writer';
import { AuthKind } from './codes';
import type { BackendMessage } from './messages';

const writer = new BufferWriter();

export function encodeBackend(message: BackendMessage): Buffer {
  writeBackend(writer, message);
  return writer.take();
}

/** Appends `message` to `out` (several messages can then go out in one write). */
export function writeBackend(out: BufferWriter, message: BackendMessage): void {
  switch (message.type) {
    case 'authenticationOk':
      out.message('R').int32(AuthKind.Ok);
      return;
    case 'authenticationKerberosV5':
      out.message('R').int32(AuthKind.KerberosV5);
      return;
    case 'authenticationCleartextPassword':
      out.message('R').int32(AuthKind.CleartextPassword);
      return;
    case 'authenticationMD5Password':
      out.message('R').int32(AuthKind.MD5Password).bytes(message.salt);
      return;
    case 'authenticationSCMCredential':
      out.message('R').int32(AuthKind.SCMCredential);
      return;
    case 'authenticationGSS':
      out.message('R').int32(AuthKind.GSS);
      return;
    case 'authenticationGSSContinue':
      out.message('R').int32(AuthKind.GSSContinue).bytes(message.data);
      return;
    case 'authenticationSSPI':
      out.message('R').int32(AuthKind.SSPI);
      return;
    case 'authenticationSASL':
      out.message('R').int32(AuthKind.SASL);
      for (const mechanism of message.mechanisms) out.cstring(mechanism);
      out.byte(0);
      return;
    case 'authenticationSASLContinue':
      out.message('R').int32(AuthKind.SASLContinue).bytes(message.data);
      return;
    case 'authenticationSASLFinal':
      out.message('R').int32(AuthKind.SASLFinal).bytes(message.data);
      return;
    case 'backendKeyData':
      out.message('K').int32(message.processId).int32(message.secretKey);
      return;
    case 'bindComplete':
      out.message('2');
      return;
    case 'closeComplete':
      out.message('3');
      return;
    case 'parseComplete':
      out.message('1');
      return;
    case 'noData':
      out.message('n');
      return;
    case 'emptyQueryResponse':
      out.message('I');
      return;
    case 'portalSuspended':
      out.message('s');
      return;
    case 'copyDone':
      out.message('c');
      return;
    case 'commandComplete':
      out.message('C').cstring(message.tag);
      return;
    case 'copyData':
      out.message('d').bytes(message.data);
      return;
    case 'copyInResponse':
    case 'copyOutResponse':
    case 'copyBothResponse':
      out.message(message.type === 'copyInResponse' ? 'G' : message.type === 'copyOutResponse' ? 'H' : 'W').byte(message.format).int16(message.columnFormats.length);
      for (const format of message.columnFormats) out.int16(format);
      return;
    case 'dataRow':
      out.message('D').int16(message.values.length);
      for (const value of message.values) out.nullableBytes(value);
      return;
    case 'errorResponse':
    case 'noticeResponse':
      out.message(message.type === 'errorResponse' ? 'E' : 'N');
      for (const [code, value] of Object.entries(message.fields)) out.byte(code.charCodeAt(0)).cstring(value);
      out.byte(0);
      return;
    case 'functionCallResponse':
      out.message('V').nullableBytes(message.result);
      return;
    case 'negotiateProtocolVersion':
      out.message('v').int32(message.newestMinorVersion).int32(message.unrecognized.length);
      for (const option of message.unrecognized) out.cstring(option);
      return;
    case 'notificationResponse':
      out.message('A').int32(message.processId).cstring(message.channel).cstring(message.payload);
      return;
    case 'parameterDescription':
      out.message('t').int16(message.typeOids.length);
      for (const oid of message.typeOids) out.uint32(oid);
      return;
    case 'parameterStatus':
      out.message('S').cstring(message.name).cstring(message.value);
      return;
    case 'readyForQuery':
      out.message('Z').byte(message.status.charCodeAt(0));
      return;
    case 'rowDescription':
      out.message('T').int16(message.fields.length);
      for (const field of message.fields) {
        out.cstring(field.name).uint32(field.tableOid).int16(field.columnAttribute).uint32(field.typeOid).int16(field.typeSize).int32(field.typeModifier).int16(field.format);
      }
      return;
  }
}

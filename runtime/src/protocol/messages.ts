/** Every message of the v3 protocol, decoded, in both directions (PostgreSQL docs §55.7). */

/** Messages a client sends. Before authentication ends, 'p' carries auth data whose meaning depends on the exchange. */
export type FrontendMessage =
  | { readonly type: 'startup'; readonly protocolVersion: number; readonly parameters: Readonly<Record<string, string>> }
  | { readonly type: 'sslRequest' }
  | { readonly type: 'gssEncRequest' }
  | { readonly type: 'cancelRequest'; readonly processId: number; readonly secretKey: number }
  | { readonly type: 'password'; readonly data: Buffer }
  | { readonly type: 'query'; readonly sql: string }
  | { readonly type: 'parse'; readonly name: string; readonly sql: string; readonly parameterTypes: readonly number[] }
  | {
      readonly type: 'bind';
      readonly portal: string;
      readonly statement: string;
      readonly parameterFormats: readonly number[];
      readonly parameters: readonly (Buffer | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly type: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'sync' }
  | { readonly type: 'flush' }
  | { readonly type: 'terminate' }
  | { readonly type: 'copyData'; readonly data: Buffer }
  | { readonly type: 'copyDone' }
  | { readonly type: 'copyFail'; readonly message: string }
  | {
      readonly type: 'functionCall';
      readonly functionId: number;
      readonly argumentFormats: readonly number[];
      readonly arguments: readonly (Buffer | null)[];
      readonly resultFormat: number;
    };

export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttribute: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

/** Error and notice fields by their one-letter code (S, V, C, M, D, H, P, ...), in wire order. */
export type NoticeFields = Readonly<Record<string, string>>;

/** Messages a server sends. */
export type BackendMessage =
  | { readonly type: 'authenticationOk' }
  | { readonly type: 'authenticationKerberosV5' }
  | { readonly type: 'authenticationCleartextPassword' }
  | { readonly type: 'authenticationMD5Password'; readonly salt: Buffer }
  | { readonly type: 'authenticationSCMCredential' }
  | { readonly type: 'authenticationGSS' }
  | { readonly type: 'authenticationGSSContinue'; readonly data: Buffer }
  | { readonly type: 'authenticationSSPI' }
  | { readonly type: 'authenticationSASL'; readonly mechanisms: readonly string[] }
  | { readonly type: 'authenticationSASLContinue'; readonly data: Buffer }
  | { readonly type: 'authenticationSASLFinal'; readonly data: Buffer }
  | { readonly type: 'backendKeyData'; readonly processId: number; readonly secretKey: number }
  | { readonly type: 'bindComplete' }
  | { readonly type: 'closeComplete' }
  | { readonly type: 'commandComplete'; readonly tag: string }
  | { readonly type: 'copyData'; readonly data: Buffer }
  | { readonly type: 'copyDone' }
  | { readonly type: 'copyInResponse' | 'copyOutResponse' | 'copyBothResponse'; readonly format: number; readonly columnFormats: readonly number[] }
  | { readonly type: 'dataRow'; readonly values: readonly (Buffer | null)[] }
  | { readonly type: 'emptyQueryResponse' }
  | { readonly type: 'errorResponse'; readonly fields: NoticeFields }
  | { readonly type: 'noticeResponse'; readonly fields: NoticeFields }
  | { readonly type: 'functionCallResponse'; readonly result: Buffer | null }
  | { readonly type: 'negotiateProtocolVersion'; readonly newestMinorVersion: number; readonly unrecognized: readonly string[] }
  | { readonly type: 'noData' }
  | { readonly type: 'notificationResponse'; readonly processId: number; readonly channel: string; readonly payload: string }
  | { readonly type: 'parameterDescription'; readonly typeOids: readonly number[] }
  | { readonly type: 'parameterStatus'; readonly name: string; readonly value: string }
  | { readonly type: 'parseComplete' }
  | { readonly type: 'portalSuspended' }
  | { readonly type: 'readyForQuery'; readonly status: 'I' | 'T' | 'E' }
  | { readonly type: 'rowDescription'; readonly fields: readonly FieldDescription[] };

export type FrontendType = FrontendMessage['type'];
export type BackendType = BackendMessage['type'];

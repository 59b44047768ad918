/** Request codes sent in place of a protocol version in the first message of a connection. */
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_VERSION_3 = 196608;

/** SQLSTATE codes the gateway and pooler raise themselves. */
export const SqlState = {
  cannotConnectNow: '57P03',
  adminShutdown: '57P01',
  protocolViolation: '08P01',
  connectionFailure: '08006',
  tooManyConnections: '53300',
  invalidPassword: '28P01',
  serializationFailure: '40001',
  internalError: 'XX000',
  /** invalid_name: among others, a placeholder setting under a prefix a loaded library reserved. */
  invalidName: '42602',
} as const;

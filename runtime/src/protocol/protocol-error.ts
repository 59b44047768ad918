/** Malformed protocol bytes: the connection that sent them gets an ErrorResponse and is closed. */
export class ProtocolError extends Error {
  readonly code = '08P01';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

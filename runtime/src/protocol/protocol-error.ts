/** An error whose SQLSTATE (`code`) the session that meets it reports to the client. */
export function sqlStateError(code: string, message: string): Error & { readonly code: string } {
  return Object.assign(new Error(message), { code });
}

/** Malformed protocol bytes: the connection that sent them gets an ErrorResponse and is closed. */
export class ProtocolError extends Error {
  readonly code = '08P01';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

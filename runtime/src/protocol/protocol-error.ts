/** An error whose SQLSTATE (`code`) the session that meets it reports to the client. */
export function sqlStateError(code: string, message: string): Error & { readonly code: string } {
  return Object.assign(new Error(message), { code });
}

/**
 * The SQLSTATE an error carries, when it carries one (five digits or capitals, as
 * sqlStateError and Postgres make them); `fallback` for anything else — a library's numeric
 * code, say, is no SQLSTATE.
 */
export function sqlStateOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : fallback;
}

/** Malformed protocol bytes: the connection that sent them gets an ErrorResponse and is closed. */
export class ProtocolError extends Error {
  readonly code = '08P01';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * The multiplexed gateway–pooler link. A gateway opens one connection per pooler and carries
 * all its sessions to that pooler over it, so that one read or write serves many sessions'
 * transactions instead of one each.
 *
 * The connection starts like any Postgres connection with a startup-shaped request whose
 * code is MUX_REQUEST_CODE and whose only parameter is the link token. The pooler answers
 * with the single byte MUX_ACCEPTED, or an ErrorResponse and closes. After that both sides
 * send envelopes, framed like protocol messages:
 *
 *   kind (1 byte) | length (int32, counting itself) | session id (uint32) | payload
 *
 * `open` starts a session (the gateway picks the id), `data` carries the session's bytes (the
 * payload is whole protocol messages: the session's own StartupMessage first), `end` closes
 * it from either side, and `pause` / `resume` ask the peer to stop and restart sending a
 * session's data (the receiving session cannot keep up).
 */

/** Sent in place of a protocol version, like SSLRequest's code (unused by Postgres). */
export const MUX_REQUEST_CODE = 80877110;
/** The startup parameter a trusted link (gateway to pooler) authenticates with. */
export const LINK_TOKEN_PARAMETER = 'polygres.link_token';
/** The pooler's answer to a valid link request. */
export const MUX_ACCEPTED = 0x4d; // 'M'

export const MuxKind = {
  open: 0x4f, // 'O'
  data: 0x44, // 'D'
  end: 0x58, // 'X'
  pause: 0x50, // 'P'
  resume: 0x52, // 'R'
} as const;

/** kind + length + session id. */
export const ENVELOPE_HEADER_BYTES = 9;
/** Consecutive writes of one session share an envelope up to this size. */
export const MAX_COALESCED_PAYLOAD = 256 * 1024;

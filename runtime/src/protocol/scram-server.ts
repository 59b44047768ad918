/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677), with tls-server-end-point channel
 * binding for SCRAM-SHA-256-PLUS, checked against the verifier Postgres keeps in pg_authid
 * (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). An unknown user or a user
 * without a SCRAM verifier goes through the same exchange with a made-up verifier and fails
 * at the end, so the answer does not reveal which users exist.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM = 'SCRAM-SHA-256';
export const SCRAM_PLUS = 'SCRAM-SHA-256-PLUS';

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Authentication failed: reported to the client as 28P01, with no detail that helps an attacker. */
export class AuthenticationFailed extends Error {
  readonly code = '28P01';
}

/** Parses a pg_authid.rolpassword value; undefined for md5, plain text or NULL. */
export function parseScramVerifier(stored: string | null | undefined): ScramVerifier | undefined {
  if (!stored?.startsWith(`${SCRAM}$`)) return undefined;
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (!match) return undefined;
  return {
    iterations: Number(match[1]),
    salt: Buffer.from(match[2]!, 'base64'),
    storedKey: Buffer.from(match[3]!, 'base64'),
    serverKey: Buffer.from(match[4]!, 'base64'),
  };
}

/** Builds a verifier from a password, as Postgres does for password_encryption = scram-sha-256. */
export function makeScramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): ScramVerifier {
  const salted = pbkdf2(password, salt, iterations);
  const clientKey = hmac(salted, 'Client Key');
  return { iterations, salt, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

export function formatScramVerifier(verifier: ScramVerifier): string {
  return `${SCRAM}$${verifier.iterations}:${verifier.salt.toString('base64')}$${verifier.storedKey.toString('base64')}:${verifier.serverKey.toString('base64')}`;
}

/** The tls-server-end-point binding data: the hash of the server's DER certificate (SHA-256). */
export function tlsServerEndPoint(certificateDer: Buffer): Buffer {
  return sha256(certificateDer);
}

/** Mechanisms to offer: -PLUS only over TLS (`channelBinding` set), where channel binding means something. */
export function scramMechanisms(channelBinding: Buffer | undefined): string[] {
  return channelBinding ? [SCRAM_PLUS, SCRAM] : [SCRAM];
}

/** This process's own secret for mock salts: no one outside can compute them. */
const MOCK_SECRET = randomBytes(32);

/**
 * What a user with no SCRAM verifier (unknown, or an md5 or empty password) is challenged with,
 * as Postgres does (scram_mock_salt): the salt comes from the user name and a secret, so the same
 * user gets the same salt every time — a fresh random one at each login would tell a missing user
 * from a real one — and no PBKDF2 runs: the keys are never compared, the exchange fails at its
 * end. (A made-up password's verifier cost 4,096 HMAC rounds per login, there for the asking.)
 */
export function mockScramVerifier(user: string): ScramVerifier {
  const salt = hmac(MOCK_SECRET, user).subarray(0, 16);
  return { iterations: 4096, salt, storedKey: Buffer.alloc(32), serverKey: Buffer.alloc(32) };
}

export class ScramServerSession {
  private readonly verifier: ScramVerifier;
  private readonly known: boolean;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  /**
   * `channelBinding`: the tls-server-end-point data when the connection is TLS, else undefined.
   * `user`: whose mock verifier stands in when there is no verifier.
   */
  constructor(verifier: ScramVerifier | undefined, private readonly channelBinding?: Buffer, user = '') {
    this.known = verifier !== undefined;
    this.verifier = verifier ?? mockScramVerifier(user);
  }

  /** Handles SASLInitialResponse; returns the server-first-message. */
  clientFirst(mechanism: string, message: string): string {
    if (mechanism !== SCRAM && !(mechanism === SCRAM_PLUS && this.channelBinding)) {
      throw new AuthenticationFailed(`SASL mechanism ${mechanism} is not offered`);
    }
    const parts = message.split(',');
    const flag = parts[0] ?? '';
    if (mechanism === SCRAM_PLUS) {
      if (flag !== 'p=tls-server-end-point') throw new AuthenticationFailed('SCRAM-SHA-256-PLUS needs tls-server-end-point channel binding');
    } else if (flag === 'y') {
      // The client could have used channel binding and thinks we cannot: a downgrade if TLS is on.
      if (this.channelBinding) throw new AuthenticationFailed('channel binding downgrade refused');
    } else if (flag !== 'n') {
      throw new AuthenticationFailed('malformed SCRAM client-first-message');
    }
    if (parts[1] !== '' && !parts[1]?.startsWith('a=')) throw new AuthenticationFailed('malformed SCRAM client-first-message');
    this.gs2Header = `${parts[0]},${parts[1]},`;
    this.clientFirstBare = parts.slice(2).join(',');
    const clientNonce = attribute(this.clientFirstBare, 'r');
    if (!clientNonce) throw new AuthenticationFailed('SCRAM client nonce missing');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Handles the client-final-message; returns the server-final-message or throws AuthenticationFailed. */
  clientFinal(message: string): string {
    const proofIndex = message.lastIndexOf(',p=');
    if (proofIndex === -1) throw new AuthenticationFailed('SCRAM proof missing');
    const withoutProof = message.slice(0, proofIndex);
    const proof = Buffer.from(message.slice(proofIndex + 3), 'base64');
    const binding = Buffer.from(attribute(withoutProof, 'c') ?? '', 'base64');
    const expectedBinding = this.gs2Header.startsWith('p=')
      ? Buffer.concat([Buffer.from(this.gs2Header), this.channelBinding ?? Buffer.alloc(0)])
      : Buffer.from(this.gs2Header);
    if (!binding.equals(expectedBinding)) throw new AuthenticationFailed('SCRAM channel binding does not match');
    if (attribute(withoutProof, 'r') !== this.nonce) throw new AuthenticationFailed('SCRAM nonce does not match');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new AuthenticationFailed('password authentication failed');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!this.known || !timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) throw new AuthenticationFailed('password authentication failed');
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

function attribute(message: string, name: string): string | undefined {
  for (const part of message.split(',')) if (part.startsWith(`${name}=`)) return part.slice(name.length + 1);
  return undefined;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Hi() of RFC 5802 is PBKDF2 with HMAC-SHA-256. */
function pbkdf2(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(password, salt, iterations, 32, 'sha256');
}

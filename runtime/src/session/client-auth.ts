/**
 * How the pooler authenticates a client: SCRAM-SHA-256 against the verifier Postgres keeps in
 * pg_authid (looked up over the trusted socket, cached briefly), or — only when the spec says
 * so, for local development — trust. md5 verifiers are refused with a message that says how to
 * fix them.
 */
import type { BackendMessage, FrontendMessage } from '../protocol/messages';
import { decodeSaslInitialResponse } from '../protocol/sasl-messages';
import { AuthenticationFailed, SCRAM, SCRAM_PLUS, ScramServerSession, parseScramVerifier, scramMechanisms, type ScramVerifier } from '../protocol/scram-server';
import { SqlState } from '../protocol/constants';

export interface AuthChannel {
  send(message: BackendMessage): void;
  /** Installs the handler for the client's next authentication message. */
  receive(handler: (message: FrontendMessage) => void): void;
  /** tls-server-end-point data when the client connected over TLS. */
  readonly tls: Buffer | undefined;
}

export interface ClientAuthenticator {
  authenticate(user: string, channel: AuthChannel): Promise<void>;
}

export class TrustAuthenticator implements ClientAuthenticator {
  async authenticate(): Promise<void> {
    // Local development only (gateway.auth.method = trust).
  }
}

/** A stored password of a kind we refuse. */
export class RefusedPasswordKind extends Error {
  readonly code = SqlState.invalidPassword;
}

export type VerifierLookup = (user: string) => Promise<string | null | undefined>;

/**
 * How long the last verifier read for a user stands in when none can be read now (every
 * source down): long enough to ride out a restart of the poolers, short enough that a changed
 * password does not stay valid through a long outage.
 */
const FALLBACK_MS = 10 * 60_000;
/** Users whose last verifier is kept for that; beyond it, the oldest are forgotten. */
const FALLBACK_USERS = 10_000;

/**
 * Every login reads the verifier afresh — a password just changed works at once, and the old
 * one stops working — with concurrent logins of one user sharing one read. When no read is
 * possible, the last verifier read for the user (at most FALLBACK_MS old) is used, and logins
 * go on through an outage of whatever the lookup depends on.
 */
export class ScramAuthenticator implements ClientAuthenticator {
  private readonly lastRead = new Map<string, { stored: string | null | undefined; at: number }>();
  private readonly reading = new Map<string, Promise<string | null | undefined>>();

  constructor(private readonly lookup: VerifierLookup) {}

  /**
   * The verifier is read while the client answers the mechanisms: they do not depend on it, and
   * its read (a query to Postgres or a pooler) would otherwise add a round trip to every login.
   */
  async authenticate(user: string, channel: AuthChannel): Promise<void> {
    const reading = this.verifierOf(user);
    reading.catch(() => undefined); // awaited below, once the client has answered
    channel.send({ type: 'authenticationSASL', mechanisms: scramMechanisms(channel.tls) });
    const initial = await next(channel);
    const stored = await reading;
    if (stored?.startsWith('md5')) {
      throw new RefusedPasswordKind(
        `password authentication failed for user "${user}": md5 passwords are refused; set password_encryption = 'scram-sha-256' and set the password again`,
      );
    }
    const verifier: ScramVerifier | undefined = parseScramVerifier(stored);
    const session = new ScramServerSession(verifier, channel.tls, user);
    const { mechanism, response } = decodeSaslInitialResponse(initial);
    if (mechanism !== SCRAM && mechanism !== SCRAM_PLUS) throw failed(user);
    let serverFirst: string;
    try {
      serverFirst = session.clientFirst(mechanism, (response ?? Buffer.alloc(0)).toString('utf8'));
    } catch {
      throw failed(user);
    }
    channel.send({ type: 'authenticationSASLContinue', data: Buffer.from(serverFirst) });
    const final = await next(channel);
    let serverFinal: string;
    try {
      serverFinal = session.clientFinal(final.toString('utf8'));
    } catch {
      throw failed(user);
    }
    channel.send({ type: 'authenticationSASLFinal', data: Buffer.from(serverFinal) });
  }

  private verifierOf(user: string): Promise<string | null | undefined> {
    let read = this.reading.get(user);
    if (!read) {
      read = this.lookup(user).then(
        (stored) => {
          this.remember(user, stored);
          return stored;
        },
        (error: unknown) => {
          const last = this.lastRead.get(user);
          if (last && Date.now() - last.at < FALLBACK_MS) return last.stored;
          throw error;
        },
      );
      const settled = read.finally(() => this.reading.delete(user));
      settled.catch(() => undefined);
      this.reading.set(user, read);
    }
    return read;
  }

  private remember(user: string, stored: string | null | undefined): void {
    this.lastRead.delete(user);
    if (this.lastRead.size >= FALLBACK_USERS) this.lastRead.delete(this.lastRead.keys().next().value!);
    this.lastRead.set(user, { stored, at: Date.now() });
  }
}

function failed(user: string): AuthenticationFailed {
  return new AuthenticationFailed(`password authentication failed for user "${user}"`);
}

/** The body of the client's next 'p' message. */
function next(channel: AuthChannel): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    channel.receive((message) => {
      if (message.type === 'password') resolve(message.data);
      else reject(new AuthenticationFailed(`expected a SASL response, got ${message.type}`));
    });
  });
}

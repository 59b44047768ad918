/**
 * The gateway's multiplexed links: one per pooler it talks to, opened on first use and shared
 * by every session routed there. A link that fails is forgotten (its sessions see their
 * connection close, as with a socket each), and one without sessions for LINK_IDLE_MS is
 * closed, so a gateway holds no connections to poolers it no longer uses. With internal TLS
 * (Kubernetes) a link asks for TLS first, as a Postgres client does (SSLRequest), and checks
 * the pooler's certificate against the cluster's authority and the host it dialled.
 */
import { connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { encodeFrontend } from '../protocol/encode-frontend';
import { decodeBackend } from '../protocol/decode-backend';
import { MessageFramer } from '../protocol/framer';
import { addressOf, type ServerTarget } from './server-target';
import { LINK_TOKEN_PARAMETER, MUX_ACCEPTED, MUX_REQUEST_CODE } from './mux-protocol';
import type { MuxChannel } from './mux-channel';
import { MuxConnection } from './mux-connection';
import { type NetworkChannel, connectReading } from './socket-reads';

const LINK_IDLE_MS = 60_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;
/** A server's answer to an SSLRequest that accepts it. */
const SSL_ACCEPTED = 0x53; // 'S'

export class MuxLinks {
  private readonly links = new Map<string, Promise<MuxConnection>>();
  private closing = false;

  constructor(
    private readonly linkToken: string,
    /** The internal authority: links are TLS, verified against it. Absent: plaintext. */
    private readonly tls?: { readonly ca: string },
  ) {}

  /** A new session on the link to `target`, opening the link first if needed. */
  async channel(target: ServerTarget): Promise<MuxChannel> {
    const key = targetKey(target);
    let link = this.links.get(key);
    if (!link) {
      link = this.connect(key, target);
      this.links.set(key, link);
    }
    const connection = await link;
    if (connection.isClosed) {
      if (this.links.get(key) === link) this.links.delete(key);
      return this.channel(target);
    }
    return connection.open();
  }

  close(): void {
    this.closing = true;
    for (const link of this.links.values()) void link.then((connection) => connection.close(), () => undefined);
    this.links.clear();
  }

  private async connect(key: string, target: ServerTarget): Promise<MuxConnection> {
    let connection: MuxConnection;
    try {
      const socket = this.tls ? await secureSocket(target, this.tls.ca) : connectReading(addressOf(target));
      const { leftover } = await handshake(socket, this.linkToken);
      connection = new MuxConnection(socket, leftover);
    } catch (error) {
      this.links.delete(key);
      throw error;
    }
    const forget = () => {
      if (this.links.get(key) === promise) this.links.delete(key);
    };
    const promise = this.links.get(key);
    connection.onClosed(forget);
    let idle: NodeJS.Timeout | undefined;
    connection.onSessionCount = (count) => {
      clearTimeout(idle);
      if (count > 0) return;
      idle = setTimeout(() => {
        forget();
        connection.close();
      }, LINK_IDLE_MS);
      idle.unref();
    };
    if (this.closing) connection.close();
    return connection;
  }
}

function targetKey(target: ServerTarget): string {
  const address = addressOf(target);
  return 'path' in address ? address.path : `${address.host}:${address.port}`;
}

/**
 * A TLS connection to the pooler at `target` (TCP only): SSLRequest, the pooler's 'S', then a
 * handshake that verifies its certificate names the host dialled.
 */
function secureSocket(target: ServerTarget, ca: string): Promise<NetworkChannel> {
  const address = addressOf(target);
  if ('path' in address) return Promise.resolve(connectReading(address));
  return new Promise((resolve, reject) => {
    const raw = connect(address);
    const fail = (error: Error) => {
      clearTimeout(timer);
      raw.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`the pooler did not start TLS within ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
    raw.once('connect', () => raw.write(encodeFrontend({ type: 'sslRequest' })));
    raw.on('error', fail);
    raw.once('data', (answer: Buffer) => {
      if (answer.length !== 1 || answer[0] !== SSL_ACCEPTED) return fail(new Error('the pooler does not offer TLS on its link port (its layout has no internal TLS?)'));
      raw.removeAllListeners('error');
      raw.pause();
      // The host is checked against the certificate; SNI carries names only, never an address.
      const secure = connectTls({ socket: raw, ca, host: address.host, ...(isIP(address.host) ? {} : { servername: address.host }) });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        resolve(secure);
      });
      secure.on('error', (error) => fail(new Error(`TLS with the pooler at ${address.host} failed: ${error.message}`)));
    });
  });
}

/** Asks the pooler for a link on `socket`; resolves once it answers MUX_ACCEPTED. */
function handshake(socket: NetworkChannel, linkToken: string): Promise<{ leftover: Buffer }> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`the pooler did not accept a link within ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
    const ask = () => socket.write(encodeFrontend({ type: 'startup', protocolVersion: MUX_REQUEST_CODE, parameters: { [LINK_TOKEN_PARAMETER]: linkToken } }));
    if (socket.connecting) socket.once('connect', ask);
    else ask();
    socket.on('error', fail);
    socket.once('close', () => fail(new Error('the pooler closed the link during its handshake')));
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received[0] === MUX_ACCEPTED) {
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        resolve({ leftover: received.subarray(1) });
        return;
      }
      // Anything else is the pooler's ErrorResponse (an old pooler, or a wrong token).
      try {
        new MessageFramer().push(received, (code, buffer, _frame, body, end) => {
          const message = decodeBackend(code, buffer, body, end);
          fail(new Error(message.type === 'errorResponse' ? `the pooler refused the link: ${message.fields.M ?? 'no reason given'}` : `unexpected ${message.type} during the link handshake`));
        });
      } catch (error) {
        fail(error as Error);
      }
    };
    socket.on('data', onData);
  });
}

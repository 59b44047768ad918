/**
 * The gateway's multiplexed links: one per pooler it talks to, opened on first use and shared
 * by every session routed there. A link that fails is forgotten (its sessions see their
 * connection close, as with a socket each), and one without sessions for LINK_IDLE_MS is
 * closed, so a gateway holds no connections to poolers it no longer uses.
 */
import type { Socket } from 'node:net';
import { encodeFrontend } from '../protocol/encode-frontend';
import { decodeBackend } from '../protocol/decode-backend';
import { MessageFramer } from '../protocol/framer';
import { addressOf, type ServerTarget } from './server-target';
import { LINK_TOKEN_PARAMETER, MUX_ACCEPTED, MUX_REQUEST_CODE } from './mux-protocol';
import type { MuxChannel } from './mux-channel';
import { MuxConnection } from './mux-connection';
import { connectReading } from './socket-reads';

const LINK_IDLE_MS = 60_000;
const HANDSHAKE_TIMEOUT_MS = 5_000;

export class MuxLinks {
  private readonly links = new Map<string, Promise<MuxConnection>>();
  private closing = false;

  constructor(private readonly linkToken: string) {}

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
      const { socket, leftover } = await handshake(target, this.linkToken);
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

/** Asks the pooler for a link; resolves with the socket once it answers MUX_ACCEPTED. */
function handshake(target: ServerTarget, linkToken: string): Promise<{ socket: Socket; leftover: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connectReading(addressOf(target));
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`the pooler did not accept a link within ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
    socket.once('connect', () => socket.write(encodeFrontend({ type: 'startup', protocolVersion: MUX_REQUEST_CODE, parameters: { [LINK_TOKEN_PARAMETER]: linkToken } })));
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
        resolve({ socket, leftover: received.subarray(1) });
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

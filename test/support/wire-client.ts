/**
 * A Postgres client at the byte level, for tests that must send what no driver would: it
 * connects (optionally through TLS), logs in with SCRAM (node-postgres' own SCRAM steps), and
 * then writes raw bytes and reads the server's frames one by one.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { createRequire } from 'node:module';
import { MessageFramer } from '../../runtime/src/protocol/framer';
import { decodeBackend } from '../../runtime/src/protocol/decode-backend';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import { encodeSaslInitialResponse } from '../../runtime/src/protocol/sasl-messages';
import type { BackendMessage } from '../../runtime/src/protocol/messages';

interface ScramSession {
  readonly mechanism: string;
  response: string;
}
const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl') as {
  startSession(mechanisms: string[], stream?: unknown): ScramSession;
  continueSession(session: ScramSession, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: ScramSession, serverData: string): void;
};

/** What came back: a message, the end of the connection, or nothing within the wait. */
export type Received = BackendMessage | 'closed' | 'timeout';

export interface WireOptions {
  readonly port: number;
  readonly host?: string;
  /** Ask for TLS (SSLRequest) and speak everything after it inside TLS. */
  readonly tls?: boolean;
}

export class WireClient {
  private readonly framer = new MessageFramer();
  private readonly inbox: BackendMessage[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  static async connect(options: WireOptions): Promise<WireClient> {
    const host = options.host ?? '127.0.0.1';
    const raw = connectTcp({ host, port: options.port });
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', reject);
    });
    if (!options.tls) return new WireClient(raw);
    raw.write(encodeFrontend({ type: 'sslRequest' }));
    const answer = await new Promise<string>((resolve) => raw.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1', 0, 1))));
    if (answer !== 'S') throw new Error(`the server refused TLS (answered '${answer}')`);
    const secure = connectTls({ socket: raw, servername: 'localhost', rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    return new WireClient(secure);
  }

  get closed(): boolean {
    return this.ended;
  }

  get tlsSocket(): TLSSocket | undefined {
    return 'getPeerCertificate' in this.socket ? this.socket : undefined;
  }

  write(bytes: Uint8Array): void {
    if (!this.ended) this.socket.write(bytes);
  }

  /** Bytes written but not yet taken by the kernel: the server reads slower than we write. */
  get pendingWrite(): number {
    return this.socket.writableLength;
  }

  /** Stops reading the socket, as a client that never reads its results. */
  stopReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /** Sends the StartupMessage and waits for the authentication request. */
  async startup(user: string, database = 'postgres'): Promise<Received> {
    this.write(encodeFrontend({ type: 'startup', protocolVersion: 196608, parameters: { user, database } }));
    return this.next();
  }

  /** Logs in with SCRAM-SHA-256 and waits for ReadyForQuery. */
  async login(user: string, password: string, database = 'postgres'): Promise<void> {
    const request = await this.startup(user, database);
    if (typeof request === 'string' || request.type !== 'authenticationSASL') throw new Error(`expected a SASL request, got ${describe(request)}`);
    const session = sasl.startSession([...request.mechanisms], this.tlsSocket);
    this.write(password_(encodeSaslInitialResponse({ mechanism: session.mechanism, response: Buffer.from(session.response) })));
    const first = await this.expect('authenticationSASLContinue');
    await sasl.continueSession(session, password, first.data.toString('utf8'), this.tlsSocket);
    this.write(password_(Buffer.from(session.response)));
    const final = await this.expect('authenticationSASLFinal');
    sasl.finalizeSession(session, final.data.toString('utf8'));
    await this.readyForQuery();
  }

  /** Runs one simple query; its rows as text (throws the server's error message). */
  async query(sql: string): Promise<(string | null)[][]> {
    this.write(encodeFrontend({ type: 'query', sql }));
    const rows: (string | null)[][] = [];
    let error: string | undefined;
    for (;;) {
      const message = await this.next();
      if (typeof message === 'string') throw new Error(`connection ${message} during a query`);
      if (message.type === 'dataRow') rows.push(message.values.map((value) => value?.toString('utf8') ?? null));
      if (message.type === 'errorResponse') error = message.fields.M;
      if (message.type === 'readyForQuery') break;
    }
    if (error !== undefined) throw new Error(error);
    return rows;
  }

  /** Waits for ReadyForQuery; what the server sent before it. */
  async readyForQuery(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const seen: BackendMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      if (typeof message === 'string') throw new Error(`connection ${message} before ReadyForQuery (after ${seen.map((m) => m.type).join(', ')})`);
      seen.push(message);
      if (message.type === 'readyForQuery') return seen;
    }
  }

  /** The next message, 'closed' once the server has hung up, or 'timeout'. */
  async next(timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.inbox.shift();
      if (message) return message;
      if (this.ended) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Every message until the server hangs up (or `timeoutMs` passes without one). */
  async drainUntilClosed(timeoutMs = 2_000): Promise<{ messages: BackendMessage[]; closed: boolean }> {
    const messages: BackendMessage[] = [];
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message === 'closed') return { messages, closed: true };
      if (message === 'timeout') return { messages, closed: false };
      messages.push(message);
    }
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private async expect<T extends BackendMessage['type']>(type: T): Promise<Extract<BackendMessage, { type: T }>> {
    const message = await this.next();
    if (typeof message === 'string' || message.type !== type) throw new Error(`expected ${type}, got ${describe(message)}`);
    return message as Extract<BackendMessage, { type: T }>;
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.framer.push(chunk, (code, buffer, _frame, body, end) => this.inbox.push(decodeBackend(code, buffer, body, end)));
      } catch {
        socket.destroy();
      }
      this.wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }
}

/** A 'p' message around an authentication body. */
function password_(data: Buffer): Buffer {
  return encodeFrontend({ type: 'password', data });
}

function describe(message: Received): string {
  if (typeof message === 'string') return message;
  return message.type === 'errorResponse' ? `error ${message.fields.C}: ${message.fields.M}` : message.type;
}

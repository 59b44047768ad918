/**
 * Calls an admin API (a pooler's, an orchestrator's, a gateway's): JSON over HTTP, or over
 * HTTPS verified against the cluster's internal authority when the layout has one
 * (admin-tls.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { adminCallTrust } from './admin-tls';

/**
 * How long a kept-alive connection may idle before this side closes it: well under the
 * server's own idle limit (Node's keepAliveTimeout, 5 s), so the server is never the one
 * closing a connection just as a request is sent on it.
 */
const KEPT_ALIVE_IDLE_MS = 2_000;

/** The connections calls made with `keepAlive` share, per scheme (and, for HTTPS, per authority). */
const keptAlive = {
  http: new HttpAgent({ keepAlive: true, timeout: KEPT_ALIVE_IDLE_MS }),
  https: new HttpsAgent({ keepAlive: true, timeout: KEPT_ALIVE_IDLE_MS }),
};

/** The admin API answered, with an error status: unlike a network failure, a real answer. */
export class AdminCallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** One admin call: where, with what token, what to ask. */
export interface AdminCall {
  host: string;
  port: number;
  token: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: unknown;
  timeoutMs?: number;
  /**
   * Reuse a connection from an earlier call: for calls made on every login (a gateway asking a
   * pooler for a role's verifier), where a TCP connection — on Kubernetes a TLS handshake —
   * per call costs more than the call. Only for calls safe to repeat: one whose kept-alive
   * connection turns out closed goes again on a new one. Other calls are rare and take a
   * connection each. On Bun these calls go through its `fetch` (fetchExchange): a failed one
   * goes again once whatever its connection, and its network errors carry Bun's codes.
   */
  keepAlive?: boolean;
}

/**
 * Calls an admin API with its bearer token; a deadline bounds every call. A call that gets no
 * answer rejects with an Error whose `cause` is the network error (its `code`: ECONNREFUSED…).
 */
export async function callAdmin<T>(options: AdminCall): Promise<T> {
  const method = options.method ?? 'GET';
  const where = `${method} ${options.path} on ${options.host}:${options.port}`;
  let answer: { status: number; statusText: string; text: string };
  try {
    answer = await exchange(options, method);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = answer.text ? (JSON.parse(answer.text) as unknown) : {};
  if (answer.status < 200 || answer.status > 299) {
    const message = (parsed as { error?: string }).error ?? answer.statusText;
    throw new AdminCallError(answer.status, `${where}: ${answer.status} ${message}`);
  }
  return parsed as T;
}

type Answer = { status: number; statusText: string; text: string };

/** Bun's own HTTP client: native, and it keeps its connections alive itself. */
const bunFetch = typeof process.versions.bun === 'string' ? globalThis.fetch : undefined;

function exchange(options: AdminCall, method: string, retried = false): Promise<Answer> {
  // On Bun, `node:http`'s client is a compatibility layer that costs a login more CPU than the
  // rest of the gateway's part in it; a call made on every login goes through Bun's fetch.
  if (bunFetch && options.keepAlive) return fetchExchange(bunFetch, options, method);
  const trust = adminCallTrust();
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = options.timeoutMs ?? 2_000;
  return new Promise<Answer>((resolve, reject) => {
    const request = (trust ? httpsRequest : httpRequest)(
      {
        host: options.host,
        port: options.port,
        path: options.path,
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/json',
          ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
        },
        signal: AbortSignal.timeout(timeoutMs),
        // Without keepAlive, one request per connection: such calls are rare.
        agent: options.keepAlive ? keptAlive[trust ? 'https' : 'http'] : false,
        ...(trust ? { ca: trust.ca } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', (error: Error) => {
      // A kept-alive connection the server closed (it restarted, or it timed the connection
      // out) as the request went out: the request never reached it, and goes again, once, on
      // a new connection (the retry Node's documentation gives for reusedSocket).
      if (request.reusedSocket && !retried && (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
        exchange(options, method, true).then(resolve, reject);
        return;
      }
      reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`, { cause: error }) : error);
    });
    request.end(body);
  });
}

/**
 * The same exchange through `fetch` (Bun's: its `tls.ca` trusts the cluster's authority), which
 * keeps connections alive itself. A kept-alive connection the server closed as the request went
 * out fails the request; fetch does not say whether the connection was a kept one, so a failed
 * call goes again once, on a new connection — safe, as only calls that may be repeated come here.
 */
export async function fetchExchange(fetcher: typeof fetch, options: AdminCall, method: string, retried = false): Promise<Answer> {
  const trust = adminCallTrust();
  const timeoutMs = options.timeoutMs ?? 2_000;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const url = `${trust ? 'https' : 'http'}://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}${options.path}`;
  try {
    const response = await fetcher(url, {
      method,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(timeoutMs),
      ...(trust ? { tls: { ca: trust.ca } } : {}),
    } as RequestInit);
    return { status: response.status, statusText: response.statusText, text: await response.text() };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new Error(`no answer within ${timeoutMs} ms`, { cause: error });
    if (!retried) return fetchExchange(fetcher, options, method, true);
    throw error;
  }
}

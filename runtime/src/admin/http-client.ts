/**
 * Calls an admin API (a pooler's, an orchestrator's, a gateway's): JSON over HTTP, or over
 * HTTPS verified against the cluster's internal authority when the layout has one
 * (admin-tls.ts).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { adminCallTrust } from './admin-tls';

/** The admin API answered, with an error status: unlike a network failure, a real answer. */
export class AdminCallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Calls an admin API with its bearer token; a deadline bounds every call. A call that gets no
 * answer rejects with an Error whose `cause` is the network error (its `code`: ECONNREFUSED…).
 */
export async function callAdmin<T>(options: {
  host: string;
  port: number;
  token: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: unknown;
  timeoutMs?: number;
}): Promise<T> {
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

function exchange(options: { host: string; port: number; token: string; path: string; body?: unknown; timeoutMs?: number }, method: string): Promise<{ status: number; statusText: string; text: string }> {
  const trust = adminCallTrust();
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const timeoutMs = options.timeoutMs ?? 2_000;
  return new Promise((resolve, reject) => {
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
        // One request per connection: admin calls are rare, and a kept-alive socket to a
        // process that has since restarted would fail the next call.
        agent: false,
        ...(trust ? { ca: trust.ca } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', (error: Error) => reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`, { cause: error }) : error));
    request.end(body);
  });
}

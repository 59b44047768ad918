/**
 * A small authenticated HTTP/JSON server for the pooler and orchestrator admin APIs: bearer
 * token on every route, JSON in and out, errors as `{ error }` with a proper status code.
 * HTTPS with the cluster's internal certificate when the process uses internal TLS
 * (admin-tls.ts); the certificate is read again when its files change.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Logger, createLogger } from '../util/log';
import { internalCertificate } from './admin-tls';
import type { z } from 'zod';
import { timingSafeEqual } from 'node:crypto';
import { ConflictError, InvalidRequestError } from '../util/domain-errors';

export type Handler = (body: unknown, request: IncomingMessage) => Promise<unknown> | unknown;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Checks a request body against its schema; a mismatch is a 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new HttpError(400, result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return result.data;
}

/** What a public route answers: its own status (health checks answer 503), content type and body. */
export interface PublicReply {
  readonly status?: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A route answered without a token (metrics, health checks, the status page): never anything
 * secret. It resolves to its reply, or to undefined when it has taken the response over
 * itself (a server-sent event stream).
 */
export type PublicHandler = (request: IncomingMessage, response: ServerResponse) => Promise<PublicReply | undefined>;

export function startAdminServer(options: {
  host: string;
  port: number;
  token: string;
  routes: Record<string, Handler>;
  publicRoutes?: Record<string, PublicHandler>;
  /** Where a certificate renewal (or a failed one) is reported. */
  log?: Logger;
}): Promise<Server> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  const server = serve(options.log, (request, response) => {
    const route = `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`;
    const open = options.publicRoutes?.[route];
    if (open) {
      open(request, response).then(
        (answer) => {
          if (!answer) return;
          response.writeHead(answer.status ?? 200, { ...answer.headers, 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
          response.end(answer.body);
        },
        (error: unknown) => reply(response, 500, { error: (error as Error).message }),
      );
      return;
    }
    const handler = options.routes[route];
    if (!authorized(request, expected)) return reply(response, 401, { error: 'missing or wrong bearer token' });
    if (!handler) return reply(response, 404, { error: `no route ${route}` });
    readJson(request)
      .then((body) => handler(body, request))
      .then((result) => reply(response, 200, result ?? {}))
      .catch((error: unknown) => {
        const status = statusOf(error);
        reply(response, status, { error: error instanceof Error ? error.message : String(error) });
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}

/** Plain HTTP, or HTTPS serving the internal certificate (renewed in place: new connections get the new one). */
function serve(log: Logger | undefined, listener: RequestListener): Server {
  const certificate = internalCertificate(log ?? createLogger('admin'));
  if (!certificate) return createServer(listener);
  const server = createHttpsServer(certificate.material, listener);
  const unsubscribe = certificate.onChange(() => server.setSecureContext(certificate.material));
  server.on('close', unsubscribe);
  return server;
}

/** A domain error's HTTP status: the only place where the agent's and actions' errors become codes. */
function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof ConflictError) return 409;
  if (error instanceof InvalidRequestError) return 400;
  return 500;
}

function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request body too large'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'request body is not JSON'));
      }
    });
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

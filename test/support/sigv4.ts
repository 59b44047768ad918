/**
 * AWS Signature Version 4 checked as S3 checks it, for the test S3 server: s3rver knows
 * access key ids but takes any V4 signature, so without this a wrong secret key — or
 * temporary credentials sent without their session token — would pass unseen. The payload
 * hash is taken as the request states it (the body is not hashed again).
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SigningCredentials {
  readonly key: string;
  readonly keySecret: string;
  /** Temporary credentials (from STS) are valid only with their session token, signed. */
  readonly sessionToken?: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Why the request is refused, or undefined when one of `accepted` signed it. */
export function signatureProblem(request: IncomingMessage, accepted: readonly SigningCredentials[]): string | undefined {
  const match = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!match) return `not signed with AWS4-HMAC-SHA256: "${request.headers.authorization ?? ''}"`;
  const [, keyId, date, region, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) if (!names.includes(required)) return `${required} is not signed`;
  const [path, query = ''] = (request.url ?? '/').split('?') as [string, string?];
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    names.map((name) => `${name}:${header(request, name).trim().replace(/\s+/g, ' ')}\n`).join(''),
    signedHeaders,
    header(request, 'x-amz-content-sha256'),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', header(request, 'x-amz-date'), `${date}/${region}/s3/aws4_request`, sha256(canonicalRequest)].join('\n');
  const signer = accepted.find((credentials) => credentials.key === keyId && hmac(signingKey(credentials.keySecret, date, region), stringToSign).toString('hex') === signature);
  if (!signer) return `no accepted secret of key "${keyId}" gives this signature`;
  if (signer.sessionToken !== undefined && !(names.includes('x-amz-security-token') && header(request, 'x-amz-security-token') === signer.sessionToken)) {
    return 'temporary credentials without their session token';
  }
  return undefined;
}

/** Parameters sorted, each name and value encoded as RFC 3986 says (empty values keep their "="). */
function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return `${encode(decodeURIComponent(name))}=${encode(decodeURIComponent(value))}`;
    })
    .sort()
    .join('&');
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function signingKey(secret: string, date: string, region: string): Buffer {
  return ['s3', 'aws4_request'].reduce((key, part) => hmac(key, part), hmac(hmac(`AWS4${secret}`, date), region));
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

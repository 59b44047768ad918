/**
 * A real S3-compatible server for tests: s3rver, in this process, behind HTTPS on loopback with
 * a certificate from an authority made for it, and behind a check of every request's V4
 * signature (s3rver checks only the key id). pgBackRest speaks only HTTPS to S3 and (2.45)
 * matches only DNS names in a certificate, so the endpoint is `localhost`, and the authority
 * is handed to it as a file (`caFile`) rather than turning verification off. Stopped by its
 * handle; its files live under the suite's temporary root.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import S3rver from 's3rver';
import { type Certificate, createCertificate } from '../../runtime/src/tls/certificates';
import { type SigningCredentials, signatureProblem } from './sigv4';

export interface S3Server {
  /** `localhost:<port>`, as a repository's `endpoint`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** PEM of the authority that signed the server's certificate, readable by the Postgres account. */
  readonly caFile: string;
  /** That authority, to sign other servers pgBackRest must trust with the same caFile (STS). */
  readonly authority: Certificate;
  /** The access key it accepts, as a credentials secret holds it (the secret is new each time). */
  readonly credentials: { readonly key: string; readonly keySecret: string };
  /** Requests refused for their signature, each with the reason. */
  readonly refusals: readonly string[];
  /** Accepts temporary credentials too (what a stand-in STS hands out). */
  grant(temporary: SigningCredentials): void;
  /** Keys of the objects stored in the bucket under `prefix`. */
  objects(prefix: string): string[];
  stop(): Promise<void>;
}

/** s3rver stores each object's bytes as `<key>._S3rver_object` in the bucket's directory. */
const OBJECT_SUFFIX = '._S3rver_object';

/** Where the server listens and the names its certificate carries (loopback and `localhost` unless told). */
export interface S3ServerPlace {
  readonly host: string;
  readonly port: number;
  readonly names: readonly string[];
}

export async function startS3Server(root: string, bucket = 'polygres-backups', place: S3ServerPlace = { host: '127.0.0.1', port: 0, names: ['localhost'] }): Promise<S3Server> {
  const dir = mkdtempSync(join(root, 's3-'));
  // pgBackRest runs as the Postgres account and reads the authority from here.
  chmodSync(dir, 0o755);
  const authority = await createCertificate({ commonName: 'Polygres test S3 authority', authority: true });
  const certificate = await createCertificate({ commonName: place.names[0]!, names: [...place.names], issuer: authority });
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, authority.certificatePem, { mode: 0o644 });
  const storage = join(dir, 'data');
  const s3rver = new S3rver({ silent: true, directory: storage, configureBuckets: [{ name: bucket, configs: [] }] });
  await s3rver.configureBuckets();
  const serve = s3rver.callback();
  // s3rver knows one key id, S3RVER; the secrets are ours, checked by signatureProblem.
  const credentials = { key: 'S3RVER', keySecret: randomBytes(24).toString('base64url') };
  const accepted: SigningCredentials[] = [credentials];
  const refusals: string[] = [];
  const server = createServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, (request, response) => {
    const problem = signatureProblem(request, accepted);
    if (problem === undefined) return void serve(request, response);
    refusals.push(`${request.method} ${request.url}: ${problem}`);
    response.writeHead(403, { 'content-type': 'application/xml' });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(place.port, place.host, () => resolve());
  });
  return {
    endpoint: `${place.names[0]}:${(server.address() as AddressInfo).port}`,
    bucket,
    caFile,
    authority,
    credentials,
    refusals,
    grant: (temporary) => void accepted.push(temporary),
    objects: (prefix) => listObjects(join(storage, bucket)).filter((key) => key.startsWith(prefix)),
    async stop() {
      // Keep-alive connections of pgBackRest runs that are gone would hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listObjects(bucketDir: string): string[] {
  return readdirSync(bucketDir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(OBJECT_SUFFIX))
    .map((entry) => relative(bucketDir, join(entry.parentPath, entry.name)).slice(0, -OBJECT_SUFFIX.length))
    .sort();
}

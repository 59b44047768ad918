/**
 * TLS for a local cluster's gateways: with `gateway.tls.mode = generate` (the default), a
 * certificate authority and a gateway certificate for localhost / 127.0.0.1 / ::1 are made
 * once in `<state-dir>/tls`; clients verify with `sslmode=verify-full sslrootcert=<ca.pem>`.
 * With `files`, the spec's files are used as they are.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec } from '../spec/schema';
import { createCertificate } from '../tls/certificates';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** The authority clients should trust, when known. */
  readonly caFile?: string;
}

/** `serviceDir`: where the services read their files (the state directory, unless relocated). */
export function tlsFilesFor(spec: ClusterSpec, serviceDir: string): TlsFiles | undefined {
  const tls = spec.gateway.tls;
  if (tls.mode === 'disabled') return undefined;
  if (tls.mode === 'files') {
    if (!tls.certFile || !tls.keyFile) throw new Error('gateway.tls: mode "files" needs certFile and keyFile (fix: set both, or use mode "generate")');
    return { certFile: tls.certFile, keyFile: tls.keyFile, ...(tls.caFile ? { caFile: tls.caFile } : {}) };
  }
  const dir = join(serviceDir, 'tls');
  return { certFile: join(dir, 'gateway.pem'), keyFile: join(dir, 'gateway-key.pem'), caFile: join(dir, 'ca.pem') };
}

/** Makes the local authority and gateway certificate if they do not exist yet. */
export async function ensureGeneratedTls(files: TlsFiles): Promise<void> {
  if (existsSync(files.certFile) && existsSync(files.keyFile)) return;
  const dir = join(files.certFile, '..');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const authority = await createCertificate({ commonName: 'Polygres local cluster CA', authority: true });
  const gateway = await createCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1', '::1'], issuer: authority });
  if (files.caFile) writeFileSync(files.caFile, authority.certificatePem);
  writeFileSync(files.certFile, gateway.certificatePem);
  writeFileSync(files.keyFile, gateway.privateKeyPem, { mode: 0o600 });
  chmodSync(files.keyFile, 0o600);
}

export function readTls(files: TlsFiles): { cert: string; key: string } {
  return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
}

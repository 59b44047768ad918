/**
 * TLS for a local cluster's etcd: an authority of its own, a certificate etcd serves (client
 * and peer traffic) and one every client presents — the services and the CLI. etcd is started
 * with --client-cert-auth, so nothing without that client certificate reads or writes the
 * topology, whoever can reach the port. Made once, into `<service dir>/tls/etcd`; the keys
 * belong to the account the services run as.
 */
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificate } from '../tls/certificates';
import type { EtcdTlsFiles } from './layout';
import type { OsUser } from '../util/os-account';

/** Makes the authority and both certificates unless all are there; `owner` gets the keys. */
export async function ensureEtcdTls(files: EtcdTlsFiles, names: readonly string[], owner: OsUser | undefined): Promise<void> {
  const all = Object.values(files);
  if (all.every((file) => existsSync(file))) return;
  mkdirSync(join(files.caFile, '..'), { recursive: true, mode: 0o755 });
  const authority = await createCertificate({ commonName: 'Polygres etcd CA', authority: true });
  const server = await createCertificate({ commonName: 'etcd', names, issuer: authority });
  const client = await createCertificate({ commonName: 'polygres', issuer: authority });
  writeFileSync(files.caFile, authority.certificatePem, { mode: 0o644 });
  writeFileSync(files.serverCertFile, server.certificatePem, { mode: 0o644 });
  writeFileSync(files.clientCertFile, client.certificatePem, { mode: 0o644 });
  for (const [file, key] of [[files.serverKeyFile, server.privateKeyPem], [files.clientKeyFile, client.privateKeyPem]] as const) {
    writeFileSync(file, key, { mode: 0o600 });
    if (owner && process.getuid?.() === 0) chownSync(file, owner.uid, owner.gid);
  }
}

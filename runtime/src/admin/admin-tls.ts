/**
 * Whether this process speaks TLS on the admin APIs, as client and as server. On Kubernetes the
 * layout names the cluster's internal authority and certificate (layout.internalTls): a bearer
 * token that can promote a standby must not cross zones in plaintext, and a caller must know it
 * talks to the cluster's own service. Locally everything is on loopback, in plain HTTP.
 *
 * Set once per process from its layout (each service's main, the CLI) before the first call:
 * like the process's store of trusted authorities, it is the process's, not a call's.
 */
import { readFileSync } from 'node:fs';
import type { ClusterLayout, InternalTlsFiles } from '../deployment/layout';
import { ReloadingTls } from '../tls/reloading-tls';
import type { Logger } from '../util/log';

let trusted: { readonly files: InternalTlsFiles; readonly ca: string } | undefined;
/** The one watcher of the internal certificate's files in this process, made on first use. */
let certificate: ReloadingTls | undefined;

/** Trusts the layout's internal authority (and calls admin APIs over HTTPS) when it has one. */
export function useInternalTls(layout: Pick<ClusterLayout, 'internalTls'>): void {
  const files = layout.internalTls;
  // Other files (or none): the watcher of the old ones goes, and its servers keep their last certificate.
  if (certificate && (!files || files.certFile !== trusted?.files.certFile || files.keyFile !== trusted.files.keyFile)) {
    certificate.stop();
    certificate = undefined;
  }
  trusted = files ? { files, ca: readFileSync(files.caFile, 'utf8') } : undefined;
}

/**
 * The internal certificate this process serves (its admin API, a pooler's links), read again
 * when its files change; undefined: plain. Everyone who serves it shares this one watcher and
 * subscribes to its renewals, so the files are looked at once per interval, not once per server.
 */
export function internalCertificate(log: Logger): ReloadingTls | undefined {
  if (!trusted) return undefined;
  if (!certificate) {
    certificate = new ReloadingTls(trusted.files, undefined, log, 'internal');
    certificate.watch();
  }
  return certificate;
}

/** The authority admin calls verify servers against; undefined: plain HTTP. */
export function adminCallTrust(): { readonly ca: string } | undefined {
  return trusted;
}


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

let trusted: { readonly files: InternalTlsFiles; readonly ca: string } | undefined;

/** Trusts the layout's internal authority (and calls admin APIs over HTTPS) when it has one. */
export function useInternalTls(layout: Pick<ClusterLayout, 'internalTls'>): void {
  const files = layout.internalTls;
  trusted = files ? { files, ca: readFileSync(files.caFile, 'utf8') } : undefined;
}

/** The authority admin calls verify servers against; undefined: plain HTTP. */
export function adminCallTrust(): { readonly ca: string } | undefined {
  return trusted;
}

/** The certificate files admin servers serve; undefined: plain HTTP. */
export function adminServerFiles(): InternalTlsFiles | undefined {
  return trusted?.files;
}

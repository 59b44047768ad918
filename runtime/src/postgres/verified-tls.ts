/**
 * How one instance connects to another's Postgres with internal TLS: verify-full against the
 * cluster's authority, for libpq's tools (a connection string) and for node-postgres.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { InternalTlsFiles } from '../deployment/layout';

/** libpq's options that verify the server against the internal authority ('' without TLS), to append to a connection string. */
export function verifiedTls(tls: InternalTlsFiles | undefined): string {
  return tls ? ` sslmode=verify-full sslrootcert=${tls.caFile}` : '';
}

/** node-postgres' `ssl` option for the same check (the host name is checked against the certificate). */
export function verifiedTlsOptions(tls: InternalTlsFiles | undefined): { ssl?: ConnectionOptions } {
  return tls ? { ssl: { ca: readFileSync(tls.caFile, 'utf8') } } : {};
}

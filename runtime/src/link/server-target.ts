/**
 * Where a server speaking the protocol listens: Postgres' own socket (its directory and
 * port), a Unix socket path (a pooler's), or a TCP address.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { SocketAddress } from './socket-address';

/** Postgres' own socket (socketDir + port), or any peer speaking the protocol by path or TCP. */
export type ServerTarget =
  | { readonly socketDir: string; readonly port: number }
  | { readonly path: string }
  | { readonly host: string; readonly port: number };

/** Where a target listens: a Unix socket path (Postgres' own is socketDir/.s.PGSQL.port), or TCP. */
export function addressOf(target: ServerTarget): SocketAddress {
  if ('socketDir' in target) return { path: join(target.socketDir, `.s.PGSQL.${target.port}`) };
  return target;
}

export function connectTo(target: ServerTarget): Socket {
  return connect(addressOf(target));
}

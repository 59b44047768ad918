/** Where a socket connects: a Unix socket's path, or a host and port. */
export type SocketAddress = { readonly path: string } | { readonly host: string; readonly port: number };

/**
 * The pooler's client listener as it stands in the foundation: every gateway connection is
 * forwarded byte for byte to the local Postgres. Pooling and statement handling replace this
 * behind the same port (pooler issue).
 */
import { connect, createServer, type Server } from 'node:net';
import { pipeSockets } from '../util/pipe-sockets';

export function startByteProxy(listen: { host: string; port: number }, upstream: { host: string; port: number }): Promise<Server> {
  const server = createServer((client) => {
    const postgres = connect(upstream);
    pipeSockets(client, postgres);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}

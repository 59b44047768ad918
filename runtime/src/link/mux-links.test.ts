import { type AddressInfo, createServer } from 'node:net';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolerServer } from '../pooler/pooler-server';
import { TrustAuthenticator } from '../session/client-auth';
import { clientLimitsSchema } from '../spec/schema';
import { createCertificate } from '../tls/certificates';
import { createLogger } from '../util/log';
import { MuxLinks } from './mux-links';

/**
 * Internal TLS on the gateway-to-pooler link: a pooler given a certificate takes links over
 * TLS only, and a gateway checks the pooler's certificate against the cluster's authority and
 * the host it dialled. No Postgres is needed: a link is accepted before any session runs.
 */
describe('multiplexed links with internal TLS', () => {
  const token = 'link-token';
  let pooler: PoolerServer;
  let port: number;
  let authority: string;
  let stranger: string;

  beforeAll(async () => {
    const ca = await createCertificate({ commonName: 'test internal CA', authority: true });
    const other = await createCertificate({ commonName: 'another CA', authority: true });
    const served = await createCertificate({ commonName: 'pooler', names: ['localhost'], issuer: ca });
    authority = ca.certificatePem;
    stranger = other.certificatePem;
    port = await freePort();
    pooler = new PoolerServer({
      host: '127.0.0.1',
      port,
      pool: { target: { socketDir: '/nonexistent', port: 1 }, size: 1, minSize: 0, queueTimeoutMs: 1_000, idleTimeoutMs: 60_000, lifetimeMs: 3_600_000, statementCacheSize: 10, pipelineBehindMs: 1, pipelineDepth: 1 },
      connectionLimit: 1,
      limits: clientLimitsSchema.parse({}),
      authenticator: new TrustAuthenticator(),
      linkToken: token,
      tls: { context: createSecureContext({ cert: served.certificatePem, key: served.privateKeyPem }), material: { cert: served.certificatePem, key: served.privateKeyPem }, certificateDer: served.der },
      log: createLogger('mux-links-test', {}).child({}, { level: 'silent' }),
    });
    await pooler.listen();
  });
  afterAll(() => pooler.close());

  it('opens a link over TLS verified against the authority, for the host the certificate names', async () => {
    const links = new MuxLinks(token, { ca: authority });
    try {
      const channel = await links.channel({ host: 'localhost', port });
      expect(channel).toBeDefined();
    } finally {
      links.close();
    }
  });

  it('refuses a plaintext link: the pooler says TLS is required', async () => {
    const links = new MuxLinks(token);
    try {
      await expect(links.channel({ host: 'localhost', port })).rejects.toThrow(/accepts links only over TLS \(the cluster uses internal TLS\)/);
    } finally {
      links.close();
    }
  });

  it('refuses a pooler whose certificate another authority signed, or that does not name the host dialled', async () => {
    const strangers = new MuxLinks(token, { ca: stranger });
    const byAddress = new MuxLinks(token, { ca: authority });
    try {
      await expect(strangers.channel({ host: 'localhost', port })).rejects.toThrow(/TLS with the pooler at localhost failed/);
      await expect(byAddress.channel({ host: '127.0.0.1', port })).rejects.toThrow(/TLS with the pooler at 127\.0\.0\.1 failed: .*(IP|altnames)/);
    } finally {
      strangers.close();
      byAddress.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

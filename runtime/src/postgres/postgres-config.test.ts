import { describe, expect, it } from 'vitest';
import { renderHba, renderPolygresConf, type PostgresSettings } from './postgres-config';

const settings: PostgresSettings = {
  instanceName: 'zone-a-0',
  listenAddress: 'zone-a-0.pods.local',
  port: 5432,
  socketDir: '/run/pg',
  maxWalSenders: 10,
  parameters: {},
  upstream: { host: 'zone-b-0.pods.local', port: 5432, passfile: '/data/pgpass' },
};
const tls = { caFile: '/tls/ca.crt', certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' };

describe('internal TLS in the rendered Postgres configuration', () => {
  it('serves the internal certificate and streams with verify-full against the authority', () => {
    const conf = renderPolygresConf({ ...settings, tls });
    expect(conf).toContain("ssl = on\nssl_cert_file = '/tls/tls.crt'\nssl_key_file = '/tls/tls.key'\nssl_ca_file = '/tls/ca.crt'");
    expect(conf).toMatch(/primary_conninfo = '.*host=zone-b-0\.pods\.local .* sslmode=verify-full sslrootcert=\/tls\/ca\.crt'/);
  });

  it('without it, no ssl line and a plain conninfo (the local target, all on loopback)', () => {
    const conf = renderPolygresConf(settings);
    expect(conf).not.toMatch(/^ssl/m);
    expect(conf).not.toContain('sslmode');
  });

  it('takes TCP connections over TLS only: a plaintext one matches no line', () => {
    const hba = renderHba(['0.0.0.0/0'], true);
    const tcp = hba.split('\n').filter((line) => /^host/.test(line));
    expect(tcp).toEqual([
      'hostssl replication replicator 0.0.0.0/0 scram-sha-256',
      'hostssl all replicator 0.0.0.0/0 reject',
      'hostssl all all 0.0.0.0/0 scram-sha-256',
    ]);
    expect(renderHba(['127.0.0.1/32'])).toContain('host all all 127.0.0.1/32 scram-sha-256');
  });
});

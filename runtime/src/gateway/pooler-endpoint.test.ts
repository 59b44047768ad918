import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolerEndpoint } from './pooler-endpoint';

describe('poolerEndpoint', () => {
  const record = { name: 'zone-a-0', zone: 'zone-a', host: '10.0.0.7', port: 5432, poolerPort: 6432, adminPort: 7432 };

  it('uses the registered Unix socket when it exists on this machine', () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'endpoint-')), '.s.PGSQL.6432');
    writeFileSync(socket, '');
    expect(poolerEndpoint({ ...record, poolerSocket: socket })).toEqual({ instance: 'zone-a-0', host: '10.0.0.7', port: 6432, socket });
  });

  it('uses TCP when the socket is elsewhere (another pod or host) or not registered', () => {
    expect(poolerEndpoint({ ...record, poolerSocket: '/var/lib/polygres/zone-a-0/socket/.s.PGSQL.6432' })).toEqual({ instance: 'zone-a-0', host: '10.0.0.7', port: 6432 });
    expect(poolerEndpoint(record)).toEqual({ instance: 'zone-a-0', host: '10.0.0.7', port: 6432 });
  });
});

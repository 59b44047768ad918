import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresControl } from './postgres-control';

describe('the modes Postgres and libpq insist on', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('are put back after Kubernetes re-applied a volume’s group permissions (fsGroup)', () => {
    root = mkdtempSync(join(tmpdir(), 'polygres-modes-'));
    const control = new PostgresControl({ instanceDir: root, hbaNetworks: [], socketDir: join(root, 'run') });
    mkdirSync(control.dataDir);
    writeFileSync(control.passfile, '*:*:*:replicator:secret\n');
    // What the kubelet leaves: setgid, group read-write.
    chmodSync(control.dataDir, 0o2770);
    chmodSync(control.passfile, 0o660);
    control.restorePermissions();
    expect(statSync(control.dataDir).mode & 0o7777).toBe(0o700);
    expect(statSync(control.passfile).mode & 0o7777).toBe(0o600);
  });
});

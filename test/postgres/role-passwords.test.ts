/**
 * Rotated database passwords reach the roles: the pooler reads the secrets file again, hands
 * the new passwords to its agent (the passfile), and as primary sets the roles' passwords as
 * SCRAM verifiers over the private socket — which needs no password, so a rotation can never
 * lock the agent out.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RolePasswords, setRolePasswords } from '../../runtime/src/agent/role-passwords';
import type { ClusterSecrets } from '../../runtime/src/deployment/secrets';
import { createLogger } from '../../runtime/src/util/log';
import { waitFor } from '../../runtime/src/util/net';
import { type PostgresServer, startPostgres } from '../support/postgres-server';

describe('role passwords follow the rotated secrets', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres(inject('testRoot'));
    const client = await server.connect();
    await client.query("CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replication-password'");
    await client.end();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const login = async (password: string): Promise<boolean> => {
    const client = new Client({ host: server.host, port: server.port, user: 'postgres', password, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  };

  it('sets only the passwords that differ, as verifiers, and leaves matching ones alone', async () => {
    const client = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const wanted = new Map([['postgres', server.password], ['replicator', 'replication-password']]);
      expect(await setRolePasswords(client, wanted)).toEqual([]);
      wanted.set('replicator', 'rotated-replication');
      expect(await setRolePasswords(client, wanted)).toEqual(['replicator']);
      expect(await setRolePasswords(client, wanted)).toEqual([]);
      const [row] = (await client.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'")).rows;
      expect(row!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    } finally {
      await client.end();
    }
  });

  it('a rotated secrets file: the agent gets the new passwords, and the primary sets them on the roles', async () => {
    const dir = mkdtempSync(join(inject('testRoot'), 'secrets-'));
    const file = join(dir, 'secrets.json');
    const initial: ClusterSecrets = { superuserPassword: server.password, replicationPassword: 'rotated-replication', adminToken: 'token' };
    writeFileSync(file, JSON.stringify(initial));
    const handed: ClusterSecrets[] = [];
    const passwords = new RolePasswords({ secretsFile: file, initial, socket: { socketDir: server.socketDir, port: server.port }, useSecrets: (next) => handed.push(next), log: createLogger('test').child({}, { level: 'silent' }) });
    passwords.readAgain();
    expect(handed).toEqual([]);
    // Half written (the kubelet swaps whole directories, but a hand edit may not): ignored.
    writeFileSync(file, '{"superuserPassword": "new-superu');
    passwords.readAgain();
    const rotated = { ...initial, superuserPassword: 'new-superuser-password' };
    writeFileSync(file, JSON.stringify(rotated));
    passwords.readAgain();
    expect(handed).toEqual([rotated]);
    expect(await login('new-superuser-password')).toBe(false);
    passwords.onServingPrimary();
    await waitFor('the new superuser password', async () => ((await login('new-superuser-password')) ? true : undefined), { timeoutMs: 10_000 });
    expect(await login(server.password)).toBe(false);
    // Put back for the fixture's teardown.
    const client = new Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    await setRolePasswords(client, new Map([['postgres', server.password]]));
    await client.end();
  });
});

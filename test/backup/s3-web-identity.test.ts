/**
 * An S3 repository with the pod's identity (keyType "web-id", as IRSA runs it), with the real
 * pgBackRest and a real S3-compatible server: the rendered configuration holds no key;
 * pgBackRest takes the role from AWS_ROLE_ARN and the token from AWS_WEB_IDENTITY_TOKEN_FILE
 * (what EKS puts in a pod whose service account names a role), trades them at STS for
 * temporary credentials, and writes and reads the bucket with those (the server checks each
 * signature, and the session token that goes with them). STS is a stand-in on
 * loopback, reached in a mount namespace of the command's own (support/fake-sts.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderPgBackRestConf, stanzaName } from '../../runtime/src/backup/pgbackrest-config';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { validateSpec } from '../../runtime/src/spec/validate';
import { type FakeSts, startFakeSts } from '../support/fake-sts';
import { type S3Server, startS3Server } from '../support/s3-server';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/polygres-backups';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.polygres-test-service-account-token';

describe('an S3 repository with the pod\'s web identity (IRSA)', () => {
  let dir: string;
  let s3: S3Server;
  let sts: FakeSts;
  let conf: string;

  /** A pgBackRest command as a pod with that identity runs it; `token` is what its token file holds. */
  const pgbackrest = (args: string[], token: string, input?: string) => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, token);
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...env } = process.env;
    const child = run('unshare', sts.inStsNamespace('pgbackrest', [`--config=${conf}`, `--stanza=${stanzaName('local')}`, '--repo=1', ...args]), {
      env: { ...env, AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile },
      timeout: 60_000,
    });
    if (input !== undefined) child.child.stdin!.end(input);
    return child.then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(inject('testRoot'), 'web-id-'));
    s3 = await startS3Server(dir);
    // The role's temporary credentials: S3 takes them only with their session token.
    const temporary = { key: s3.credentials.key, keySecret: randomBytes(24).toString('base64url'), sessionToken: randomBytes(24).toString('base64url') };
    s3.grant(temporary);
    sts = await startFakeSts({ authority: s3.authority, roleArn: ROLE, token: TOKEN, credentials: temporary, dir });
    const { backup } = validateSpec({
      ...JSON.parse(JSON.stringify(defaultSpec())),
      backup: { repositories: [{ type: 's3', bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, uriStyle: 'path', keyType: 'web-id', caFile: s3.caFile }] },
    }).spec;
    for (const sub of ['spool', 'log', 'lock']) mkdirSync(join(dir, sub));
    conf = join(dir, 'pgbackrest.conf');
    writeFileSync(conf, renderPgBackRestConf(backup!, {
      stanza: stanzaName('local'),
      instances: [{ name: 'a', dataDir: join(dir, 'pgdata'), port: 5999, socketDir: dir }],
      user: 'postgres',
      spoolPath: join(dir, 'spool'),
      logPath: join(dir, 'log'),
      lockPath: join(dir, 'lock'),
    }, { s3: new Map() }));
  });
  afterAll(async () => {
    await sts?.stop();
    await s3?.stop();
  });

  it('writes and reads the bucket with the credentials STS gives the role, and no key in the configuration', async () => {
    expect(readFileSync(conf, 'utf8')).toContain('repo1-s3-key-type=web-id\n');
    expect(readFileSync(conf, 'utf8')).not.toMatch(/s3-key=|s3-key-secret=/);

    const put = await pgbackrest(['repo-put', '--raw', '/polygres/probe'], TOKEN, 'written with the role');
    expect(put.stderr).toBe('');
    expect(s3.objects('polygres/')).toEqual(['polygres/probe']);
    const get = await pgbackrest(['repo-get', '--raw', '/polygres/probe'], TOKEN);
    expect(get.stdout).toBe('written with the role');
    expect(sts.requests).toContainEqual({ action: 'AssumeRoleWithWebIdentity', roleArn: ROLE, sessionName: 'pgBackRest', token: TOKEN });
    expect(s3.refusals).toEqual([]);
  });

  it('fails, writing nothing, when STS refuses the token', async () => {
    const put = await pgbackrest(['repo-put', '--raw', '/polygres/refused'], 'a token of another cluster', 'never written');
    expect(put.code).not.toBe(0);
    expect(sts.requests.at(-1)).toMatchObject({ token: 'a token of another cluster' });
    expect(s3.objects('polygres/refused')).toEqual([]);
  });
});

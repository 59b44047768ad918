/**
 * The rendered configuration against the real pgBackRest: every option is one it knows (no
 * "invalid option" warnings), a posix repository answers `info`, an S3 repository that
 * cannot be reached fails on the connection — not on the configuration — and one that uses the
 * pod's web identity asks for it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { renderPgBackRestConf, stanzaName } from '../../runtime/src/backup/pgbackrest-config';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { validateSpec } from '../../runtime/src/spec/validate';

const run = promisify(execFile);

describe('pgBackRest accepts the rendered configuration', () => {
  it('for posix and S3 repositories (an access key or the pod\'s identity) with encryption', async () => {
    const dir = mkdtempSync(join(inject('testRoot'), 'pgbackrest-'));
    const spec = validateSpec({
      ...JSON.parse(JSON.stringify(defaultSpec())),
      backup: {
        repositories: [
          { type: 'posix', path: join(dir, 'repo') },
          { type: 's3', bucket: 'acme-db', region: 'eu-west-1', endpoint: '127.0.0.1:1', uriStyle: 'path', credentialsSecret: 's3', verifyTls: false },
          { type: 's3', bucket: 'acme-db', region: 'eu-west-1', endpoint: '127.0.0.1:1', uriStyle: 'path', keyType: 'web-id', caFile: join(dir, 'ca.pem') },
        ],
        encryption: { passphraseSecret: 'cipher' },
        retention: { full: 2, diff: 4 },
      },
    }).spec;
    const stanza = stanzaName('local');
    const conf = join(dir, 'pgbackrest.conf');
    writeFileSync(
      conf,
      renderPgBackRestConf(
        spec.backup!,
        { stanza, instances: [{ name: 'a', dataDir: join(dir, 'pgdata'), port: 5999, socketDir: dir }], user: 'postgres', spoolPath: join(dir, 'spool'), logPath: dir, lockPath: join(dir, 'lock') },
        { s3: new Map([['s3', { key: 'AK', keySecret: 'SK' }]]), passphrase: 'secret-pass' },
      ),
    );
    const posix = await run('pgbackrest', [`--config=${conf}`, `--stanza=${stanza}`, '--repo=1', 'info', '--output=json'], { timeout: 30_000 });
    expect(posix.stderr).not.toMatch(/invalid|unknown option/i);
    expect(JSON.parse(posix.stdout)[0].name).toBe(stanza);
    const s3 = await run('pgbackrest', [`--config=${conf}`, `--stanza=${stanza}`, '--repo=2', '--io-timeout=2', 'info'], { timeout: 60_000 }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${s3.stdout}${s3.stderr}`).toMatch(/HostConnectError|unable to connect/);
    expect(`${s3.stdout}${s3.stderr}`).not.toMatch(/invalid option|OptionInvalid/);
    // The pod's identity: pgBackRest reads the key type and asks for what IRSA provides (checked
    // before any connection, so nothing leaves the machine).
    const { AWS_ROLE_ARN: _role, AWS_WEB_IDENTITY_TOKEN_FILE: _token, ...withoutIdentity } = process.env;
    const webId = await run('pgbackrest', [`--config=${conf}`, `--stanza=${stanza}`, '--repo=3', 'info'], { timeout: 60_000, env: withoutIdentity }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${webId.stdout}${webId.stderr}`).toContain("option 'repo3-s3-key-type' is 'web-id' but 'AWS_ROLE_ARN' and 'AWS_WEB_IDENTITY_TOKEN_FILE' are not set");
  });
});

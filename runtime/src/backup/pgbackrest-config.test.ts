import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../spec/defaults';
import { validateSpec } from '../spec/validate';
import { SpecError } from '../spec/spec-error';
import { archiveCommands, renderPgBackRestConf, stanzaName } from './pgbackrest-config';

const target = {
  stanza: stanzaName('local'),
  instances: [
    { name: 'zone-a-0', dataDir: '/d/a/pgdata', port: 5001, socketDir: '/s/a' },
    { name: 'zone-b-0', dataDir: '/d/b/pgdata', port: 5002, socketDir: '/s/b' },
  ],
  user: 'postgres',
  spoolPath: '/state/spool',
  logPath: '/state/logs',
  lockPath: '/state/lock',
};

function specWith(backup: unknown) {
  return validateSpec({ ...JSON.parse(JSON.stringify(defaultSpec())), backup }).spec;
}

describe('pgBackRest configuration', () => {
  it('renders posix and S3 repositories, cipher, retention, compression and every instance', () => {
    const spec = specWith({
      repositories: [
        { type: 'posix', path: '/backups' },
        { type: 's3', bucket: 'acme-db', region: 'eu-west-1', credentialsSecret: 'backup-s3' },
      ],
      encryption: { passphraseSecret: 'backup-cipher' },
      retention: { full: 3, diff: 6 },
      compression: { type: 'zst', level: 6 },
    });
    const text = renderPgBackRestConf(spec.backup!, target, { s3: new Map([['backup-s3', { key: 'AKIA', keySecret: 'shh' }]]), passphrase: 'pass' });
    expect(text).toContain('[global]\nrepo1-type=posix\nrepo1-path=/backups\nrepo1-retention-full=3\nrepo1-retention-diff=6\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=pass\n');
    expect(text).toContain('repo2-type=s3\nrepo2-path=/polygres\nrepo2-s3-bucket=acme-db\nrepo2-s3-region=eu-west-1\nrepo2-s3-endpoint=s3.amazonaws.com\nrepo2-s3-uri-style=host\nrepo2-s3-key-type=shared\nrepo2-s3-key=AKIA\nrepo2-s3-key-secret=shh\nrepo2-storage-verify-tls=y\n');
    expect(text).toContain('compress-type=zst\ncompress-level=6\narchive-async=y\nspool-path=/state/spool');
    expect(text).toContain('backup-standby=y');
    expect(text).toContain('[local-0-inf]\npg1-path=/d/a/pgdata\npg1-port=5001\npg1-socket-path=/s/a\npg1-user=postgres\npg2-path=/d/b/pgdata');
  });

  it('names the missing secret', () => {
    const spec = specWith({ repositories: [{ type: 's3', bucket: 'b-b', region: 'r', credentialsSecret: 'nope' }] });
    expect(() => renderPgBackRestConf(spec.backup!, target, { s3: new Map() })).toThrow('backup.repositories[0].credentialsSecret: secret "nope" is not available');
  });

  it('writes no key for a repository that uses the machine\'s or the pod\'s identity', () => {
    const spec = specWith({
      repositories: [
        { type: 's3', bucket: 'by-profile', region: 'eu-west-1' },
        { type: 's3', bucket: 'by-web-id', region: 'eu-west-1', keyType: 'web-id', caFile: '/etc/ssl/private-ca.pem' },
      ],
    });
    const text = renderPgBackRestConf(spec.backup!, target, { s3: new Map() });
    expect(text).toContain('repo1-s3-uri-style=host\nrepo1-s3-key-type=auto\nrepo1-storage-verify-tls=y\n');
    expect(text).toContain('repo2-s3-key-type=web-id\nrepo2-storage-verify-tls=y\nrepo2-storage-ca-file=/etc/ssl/private-ca.pem\n');
    expect(text).not.toMatch(/s3-key=|s3-key-secret=/);
  });

  it('refuses a key type that cannot use the credentials given, naming the field and the fix', () => {
    const problems = (repository: Record<string, unknown>) => {
      try {
        specWith({ repositories: [{ type: 's3', bucket: 'b-b', region: 'r', ...repository }] });
      } catch (error) {
        return (error as SpecError).problems.map((p) => `${p.path}: ${p.message} (fix: ${p.fix})`);
      }
      return [];
    };
    expect(problems({ keyType: 'shared' })).toEqual([
      'backup.repositories[0].credentialsSecret: keyType "shared" signs with an access key, and no credentialsSecret names one (fix: name the secret holding "key" and "keySecret", or set keyType to "web-id" (a pod\'s role, e.g. IRSA) or "auto" (an instance profile))',
    ]);
    expect(problems({ keyType: 'web-id', credentialsSecret: 's3' })).toEqual([
      'backup.repositories[0].credentialsSecret: keyType "web-id" takes credentials from the pod\'s web identity, so secret "s3" would never be read (fix: remove credentialsSecret, or set keyType to "shared")',
    ]);
    expect(problems({ keyType: 'auto', credentialsSecret: 's3' })[0]).toContain('instance metadata service');
    expect(problems({ keyType: 'iam' })[0]).toMatch(/^backup\.repositories\[0\]\.keyType: .*\(fix: use one of "shared", "auto", "web-id"\)$/);
    expect(problems({ caFile: 'ca.pem' })[0]).toMatch(/^backup\.repositories\[0\]\.caFile: must be an absolute path/);
    expect(problems({ credentialsSecret: 's3' })).toEqual([]);
    expect(problems({})).toEqual([]);
  });

  it('fills defaults: weekly full backups, two kept, zstd, WAL archiving on', () => {
    const spec = specWith({ repositories: [{ type: 'posix', path: '/b' }] });
    expect(spec.backup).toMatchObject({ retention: { full: 2 }, compression: { type: 'zst' }, schedule: { full: '0 1 * * 0' }, archiveWal: true });
  });

  it('refuses bad schedules and repositories at validation, naming the field', () => {
    const attempt = (backup: unknown) => {
      try {
        specWith(backup);
      } catch (error) {
        return (error as SpecError).problems.map((p) => `${p.path}: ${p.message}`);
      }
      return [];
    };
    const [badHour, ...others] = attempt({ repositories: [{ type: 'posix', path: '/b' }], schedule: { full: '0 25 * * *' } });
    expect(others).toEqual([]);
    expect(badHour).toMatch(/^backup\.schedule\.full: "0 25 \* \* \*" is not a cron schedule: .*hour: 25.*\(write e\.g\. /);
    expect(attempt({ repositories: [] })[0]).toContain('backup.repositories: declare at least one repository');
    expect(attempt({ repositories: [{ type: 'ftp', path: '/x' }] })[0]).toContain('backup.repositories[0].type');
  });

  it('gives Postgres archive and restore commands for the stanza', () => {
    expect(archiveCommands('/etc/pgbackrest.conf', 'local-0-inf')).toEqual({
      archiveCommand: 'pgbackrest --config=/etc/pgbackrest.conf --stanza=local-0-inf archive-push %p',
      restoreCommand: 'pgbackrest --config=/etc/pgbackrest.conf --stanza=local-0-inf archive-get %f "%p"',
    });
    // Several instances on one host: each names its own data directory, spool and lock.
    expect(archiveCommands('/c.conf', 's', { dataDir: '/d/b', spoolPath: '/sp/b', lockPath: '/lk/b' }).archiveCommand).toBe(
      'pgbackrest --config=/c.conf --stanza=s --pg1-path=/d/b --spool-path=/sp/b --lock-path=/lk/b archive-push %p',
    );
  });
});

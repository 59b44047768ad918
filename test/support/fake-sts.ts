/**
 * A stand-in for AWS STS's AssumeRoleWithWebIdentity, for pgBackRest's `web-id` key type:
 * HTTPS on 127.0.0.1:443 with a certificate for sts.amazonaws.com, answering one role and one
 * token with temporary credentials and anything else with AccessDenied. pgBackRest 2.45 always
 * asks sts.amazonaws.com:443, so the commands that use it run through `inStsNamespace`: a mount
 * namespace whose /etc/hosts points that name at loopback, so nothing leaves the machine and
 * the machine's own /etc/hosts is untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { type Certificate, createCertificate } from '../../runtime/src/tls/certificates';
import type { SigningCredentials } from './sigv4';

export const STS_HOST = 'sts.amazonaws.com';

export interface StsRequest {
  readonly action: string | null;
  readonly roleArn: string | null;
  readonly sessionName: string | null;
  readonly token: string | null;
}

export interface FakeSts {
  /** Every AssumeRoleWithWebIdentity asked, in order. */
  readonly requests: StsRequest[];
  /** `unshare` arguments that run `command args...` where sts.amazonaws.com is this server. */
  inStsNamespace(command: string, args: readonly string[]): string[];
  stop(): Promise<void>;
}

export interface FakeStsOptions {
  /** Signs the server's certificate: the authority pgBackRest trusts through the repository's caFile. */
  readonly authority: Certificate;
  readonly roleArn: string;
  readonly token: string;
  /** The role's temporary credentials, as STS hands them out. */
  readonly credentials: Required<SigningCredentials>;
  /** Where the namespace's hosts file is written. */
  readonly dir: string;
}

export async function startFakeSts(options: FakeStsOptions): Promise<FakeSts> {
  const certificate = await createCertificate({ commonName: STS_HOST, names: [STS_HOST], issuer: options.authority });
  const requests: StsRequest[] = [];
  const server = createServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, (request, response) => {
    const query = new URL(request.url ?? '/', `https://${STS_HOST}`).searchParams;
    const asked: StsRequest = { action: query.get('Action'), roleArn: query.get('RoleArn'), sessionName: query.get('RoleSessionName'), token: query.get('WebIdentityToken') };
    requests.push(asked);
    const granted = asked.action === 'AssumeRoleWithWebIdentity' && asked.roleArn === options.roleArn && asked.token === options.token;
    response.writeHead(granted ? 200 : 403, { 'content-type': 'text/xml' });
    response.end(granted ? credentialsXml(options.credentials) : '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, '127.0.0.1', () => resolve());
  });
  const hostsFile = join(options.dir, 'hosts');
  writeFileSync(hostsFile, `${readFileSync('/etc/hosts', 'utf8')}\n127.0.0.1 ${STS_HOST}\n`);
  return {
    requests,
    inStsNamespace: (command, args) => ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, command, ...args],
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The parts of STS's answer pgBackRest reads; valid an hour, so it never asks again mid-test. */
function credentialsXml(credentials: Required<SigningCredentials>): string {
  const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>`
    + `<AccessKeyId>${credentials.key}</AccessKeyId><SecretAccessKey>${credentials.keySecret}</SecretAccessKey>`
    + `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration>`
    + `</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, createCertificate } from './certificates';

describe('certificates', () => {
  let authority: Certificate;
  let server: Certificate;
  beforeAll(async () => {
    authority = await createCertificate({ commonName: 'Polygres local CA', authority: true });
    server = await createCertificate({ commonName: 'gateway', names: ['localhost', '127.0.0.1', '::1'], issuer: authority });
  });

  it('parse, carry the names asked for, and chain to their authority', () => {
    const parsed = new X509Certificate(server.certificatePem);
    expect(parsed.subject).toBe('CN=gateway');
    expect(parsed.issuer).toBe('CN=Polygres local CA');
    expect(parsed.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(parsed.verify(new X509Certificate(authority.certificatePem).publicKey)).toBe(true);
    expect(new X509Certificate(authority.certificatePem).ca).toBe(true);
  });

  it('verify with openssl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), authority.certificatePem);
      writeFileSync(join(dir, 'server.pem'), server.certificatePem);
      const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-verify_hostname', 'localhost', join(dir, 'server.pem')], { encoding: 'utf8' });
      expect(out.trim()).toBe(`${join(dir, 'server.pem')}: OK`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve TLS that a client verifying the host name and the authority accepts', async () => {
    const tls = createServer({ cert: server.certificatePem, key: server.privateKeyPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const port = (tls.address() as { port: number }).port;
    const received = await new Promise<string>((resolve, reject) => {
      const client = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: authority.certificatePem }, () => undefined);
      let data = '';
      client.on('data', (chunk) => (data += chunk.toString()));
      client.on('end', () => resolve(data));
      client.on('error', reject);
    });
    tls.close();
    expect(received).toBe('hello');
  });

  it('make self-signed certificates (the provider handshake)', async () => {
    const self = await createCertificate({ commonName: 'localhost', names: ['localhost'] });
    const parsed = new X509Certificate(self.der);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.subjectAltName).toBe('DNS:localhost');
  });

  it('say what they are for: an authority signs certificates, a leaf serves and authenticates', () => {
    const ca = new X509Certificate(authority.der);
    const leaf = new X509Certificate(server.der);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(3000 * 86_400_000);
  });
});

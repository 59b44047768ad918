import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificate } from '../tls/certificates';
import { connect as connectTls } from 'node:tls';
import { createLogger } from '../util/log';
import { internalCertificate, useInternalTls } from './admin-tls';
import { callAdmin } from './http-client';
import { startAdminServer } from './http-server';
import type { Server } from 'node:http';

/**
 * The admin APIs with internal TLS (Kubernetes): the server serves the internal certificate,
 * a call verifies it against the authority and the host dialled, and plaintext gets nothing.
 */
describe('admin APIs over internal TLS', () => {
  const token = 'admin-token';
  let dir: string;
  let server: Server;
  let port: number;
  let ca: Awaited<ReturnType<typeof createCertificate>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-admin-tls-'));
    ca = await createCertificate({ commonName: 'test internal CA', authority: true });
    const served = await createCertificate({ commonName: 'admin', names: ['localhost'], issuer: ca });
    const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    writeFileSync(files.caFile, ca.certificatePem);
    writeFileSync(files.certFile, served.certificatePem);
    writeFileSync(files.keyFile, served.privateKeyPem);
    useInternalTls({ internalTls: files });
    server = await startAdminServer({ host: '127.0.0.1', port: 0, token, routes: { 'GET /v1/status': () => ({ role: 'primary' }) } });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
    useInternalTls({});
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a call that verified its certificate for the host dialled', async () => {
    await expect(callAdmin({ host: 'localhost', port, token, path: '/v1/status' })).resolves.toEqual({ role: 'primary' });
  });

  it('fails a call to a host the certificate does not name, before the token is sent', async () => {
    await expect(callAdmin({ host: '127.0.0.1', port, token, path: '/v1/status' })).rejects.toThrow(/GET \/v1\/status on 127\.0\.0\.1:\d+: .*(IP|altnames)/);
  });

  it('gives a plaintext HTTP request no answer', async () => {
    const answered = await new Promise<boolean>((resolve) => {
      const plain = request({ host: '127.0.0.1', port, path: '/v1/status', headers: { authorization: `Bearer ${token}` }, agent: false }, () => resolve(true));
      plain.on('error', () => resolve(false));
      plain.end();
    });
    expect(answered).toBe(false);
  });

  it('a renewed certificate reaches every admin server of the process through its one watcher of the files', async () => {
    const log = createLogger('test', {}, { write: () => undefined } as never);
    const watcher = internalCertificate(log)!;
    expect(internalCertificate(log)).toBe(watcher);
    const second = await startAdminServer({ host: '127.0.0.1', port: 0, token, routes: {} });
    try {
      const renewed = await createCertificate({ commonName: 'renewed', names: ['localhost'], issuer: ca });
      writeFileSync(join(dir, 'tls.key'), renewed.privateKeyPem);
      writeFileSync(join(dir, 'tls.crt'), renewed.certificatePem);
      expect(watcher.reloadIfChanged()).toBe(true);
      const ports = [port, (second.address() as AddressInfo).port];
      const served = await Promise.all(ports.map((each) => servedCommonName(each, ca.certificatePem)));
      expect(served).toEqual(['renewed', 'renewed']);
    } finally {
      second.close();
    }
  });

  it('without internal TLS, calls are plain HTTP again, and a refused connection names its cause', async () => {
    useInternalTls({});
    try {
      const error = (await callAdmin({ host: '127.0.0.1', port: 1, token, path: '/v1/status' }).catch((caught: unknown) => caught)) as Error & { cause?: { code?: string } };
      expect(error).toBeInstanceOf(Error);
      expect(error.cause?.code).toBe('ECONNREFUSED');
    } finally {
      useInternalTls({ internalTls: { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') } });
    }
  });
});

/** The common name of the certificate a TLS server on `port` serves a new connection, verified. */
function servedCommonName(port: number, authority: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: authority }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN));
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificate } from '../tls/certificates';
import { useInternalTls } from './admin-tls';
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

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-admin-tls-'));
    const ca = await createCertificate({ commonName: 'test internal CA', authority: true });
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

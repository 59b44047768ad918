import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runtimeExecutable } from '../local/service-runtime';
import { createCertificate } from '../tls/certificates';

/**
 * Bun's native sockets as the proxy uses them (socket-reads-bun.ts), on a real Bun: the
 * fixture drives them and prints what it saw; this judges it. Node's side is
 * socket-reads-node.test.ts; the integration suite runs whole clusters on either runtime.
 */
describe('Bun-native sockets behind the ByteChannel', () => {
  it('read, write, cork, pause, drain a large write, fail, close, serve a Unix socket and start TLS as the proxy needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polygres-bun-sockets-'));
    try {
      const ca = await createCertificate({ commonName: 'test CA', authority: true });
      const served = await createCertificate({ commonName: 'localhost', names: ['localhost'], issuer: ca });
      writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
      writeFileSync(join(dir, 'cert.pem'), served.certificatePem);
      writeFileSync(join(dir, 'key.pem'), served.privateKeyPem);
      const { stdout } = await promisify(execFile)(runtimeExecutable('bun'), [join(__dirname, 'fixtures', 'bun-sockets-check.ts'), dir], { timeout: 60_000 });
      const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(seen).toEqual({
        // Each read a buffer its reader keeps (two reads, both intact).
        kept: ['first ', 'second'],
        remoteAddress: '127.0.0.1',
        networkSockets: [true, true],
        readTo: { direct: ['direct'], events: 2 },
        corkedLength: 3,
        afterCork: 'first secondabc',
        whilePaused: 'first secondabc',
        afterResume: 'first secondabc while paused',
        // 48 MiB: the kernel takes a part, the channel keeps the rest and says so, then drains it.
        bigWriteAccepted: false,
        queuedAfterBigWrite: expect.any(Number),
        queuedAfterDrain: 0,
        bigReceived: 48 * 1024 * 1024,
        bigIntact: true,
        refused: ['error ECONNREFUSED', 'close'],
        destroyCloses: 1,
        destroyedAfter: true,
        unix: ['over a unix socket', 'and back'],
        tlsEcho: 'echo: over TLS',
        plainClosesAfterTls: 1,
      });
      expect(seen.queuedAfterBigWrite).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

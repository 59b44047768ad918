import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificate } from './certificates';
import { createLogger } from '../util/log';
import { ReloadingTls } from './reloading-tls';

describe('a served certificate, read again when its files change', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps serving the old pair until the new one is whole, then switches and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-tls-'));
    const files = { certFile: join(dir, 'gateway.pem'), keyFile: join(dir, 'gateway-key.pem') };
    const first = await createCertificate({ commonName: 'first' });
    const second = await createCertificate({ commonName: 'second' });
    writeFileSync(files.certFile, first.certificatePem);
    writeFileSync(files.keyFile, first.privateKeyPem);
    const renewals: string[] = [];
    const tls = new ReloadingTls(files, (certificate) => renewals.push(certificate.subject), createLogger('test', {}, { write: () => undefined } as never));
    expect(tls.reloadIfChanged()).toBe(false);
    // Half way through a renewal: the new key beside the old certificate.
    writeFileSync(files.keyFile, `${second.privateKeyPem}\n`);
    expect(tls.reloadIfChanged()).toBe(false);
    expect(tls.certificateDer.equals(first.der)).toBe(true);
    writeFileSync(files.certFile, second.certificatePem);
    expect(tls.reloadIfChanged()).toBe(true);
    expect(tls.certificateDer.equals(second.der)).toBe(true);
    expect(renewals).toEqual(['CN=second']);
    expect(tls.reloadIfChanged()).toBe(false);
  });
});

/**
 * X.509 certificates made with node:crypto alone (ECDSA P-256, SHA-256): a local cluster's
 * certificate authority and gateway certificates, and the Terraform provider's handshake
 * certificate. No openssl binary and no dependency; generating one takes milliseconds.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from './der';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export interface Certificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The certificate in DER, as TLS sends it. */
  readonly der: Buffer;
  readonly privateKey: KeyObject;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP addresses for subjectAltName. */
  readonly names?: readonly string[];
  readonly days?: number;
  /** Signed by this authority; self-signed when absent. */
  readonly issuer?: Certificate;
  readonly authority?: boolean;
}

export function createCertificate(request: CertificateRequest): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const subject = name(request.commonName);
  const issuerName = request.issuer ? name(new X509Certificate(request.issuer.der).subject.replace(/^CN=/, '')) : subject;
  const issuerKeyId = request.issuer ? keyIdentifierOf(request.issuer) : keyId;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + (request.days ?? 3650) * 86_400_000);
  const algorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));

  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, der.sequence(...(request.authority ? [der.boolean(true)] : []))),
    extension(OID.keyUsage, true, der.bitString(Buffer.from([request.authority ? 0x06 : 0xa0]))),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, issuerKeyId))),
  ];
  if (!request.authority) extensions.push(extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth), der.objectIdentifier(OID.clientAuth))));
  if (request.names?.length) extensions.push(extension(OID.subjectAltName, false, der.sequence(...request.names.map(generalName))));

  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, request.issuer?.privateKey ?? privateKey);
  const certificate = der.sequence(tbs, algorithm, der.bitString(signature));
  return {
    certificatePem: pem('CERTIFICATE', certificate),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    der: certificate,
    privateKey,
  };
}

/** Loads a certificate and its key from PEM (to sign more with a stored authority). */
export function loadCertificate(certificatePem: string, privateKey: KeyObject, privateKeyPem: string): Certificate {
  return { certificatePem, privateKeyPem, der: new X509Certificate(certificatePem).raw, privateKey };
}

function keyIdentifierOf(certificate: Certificate): Buffer {
  const spki = new X509Certificate(certificate.der).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(spki).digest();
}

function name(commonName: string): Buffer {
  return der.sequence(der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String(commonName))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function generalName(value: string): Buffer {
  const version = isIP(value);
  if (version === 4) return der.implicit(7, Buffer.from(value.split('.').map(Number)));
  if (version === 6) return der.implicit(7, ipv6Bytes(value));
  return der.implicit(2, Buffer.from(value, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(Number.parseInt(group || '0', 16), i * 2));
  return bytes;
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

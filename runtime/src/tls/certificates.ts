/**
 * X.509 certificates for a local cluster (its certificate authority, the gateways' and etcd's
 * certificates, the services' etcd client certificate) and the Terraform provider's handshake
 * certificate: ECDSA P-256 keys signed with SHA-256, made with @peculiar/x509 over Node's
 * WebCrypto. No openssl binary is needed; one takes milliseconds.
 */
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
// @peculiar/x509 resolves its ASN.1 and crypto providers through tsyringe, which needs the
// Reflect metadata API; since 2.0 the application loads the polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Certificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The certificate in DER, as TLS sends it. */
  readonly der: Buffer;
  readonly privateKey: KeyObject;
  /** The key pair, to sign other certificates with when this one is an authority. */
  readonly keys: webcrypto.CryptoKeyPair;
  /** The certificate as @peculiar/x509 holds it (the issuer of the certificates it signs). */
  readonly certificate: x509.X509Certificate;
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

export async function createCertificate(request: CertificateRequest): Promise<Certificate> {
  const crypto = webcrypto;
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const issuerKeys = request.issuer?.keys ?? keys;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(request.authority ?? false, undefined, true),
    new x509.KeyUsagesExtension(request.authority ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    await x509.AuthorityKeyIdentifierExtension.create(issuerKeys.publicKey, false, crypto),
  ];
  if (!request.authority) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]));
  if (request.names?.length) extensions.push(new x509.SubjectAlternativeNameExtension(request.names.map(generalName)));
  const subject = distinguishedName(request.commonName);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      // Positive (a leading 0x01 byte) and 128 bits of randomness.
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      subject,
      issuer: request.issuer ? request.issuer.certificate.subject : subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + (request.days ?? 3650) * 86_400_000),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: issuerKeys.privateKey,
      extensions,
    },
    crypto,
  );
  const privateKey = KeyObject.from(keys.privateKey);
  return {
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    der: Buffer.from(certificate.rawData),
    privateKey,
    keys,
    certificate,
  };
}

/** A subject or issuer of just a common name, its special characters escaped (RFC 4514). */
function distinguishedName(commonName: string): string {
  return `CN=${commonName.replace(/[,+"\\<>;=#]/g, (char) => `\\${char}`)}`;
}

function generalName(value: string): x509.JsonGeneralName {
  return isIP(value) !== 0 ? { type: 'ip', value } : { type: 'dns', value };
}

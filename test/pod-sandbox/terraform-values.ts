/**
 * What `terraform apply` would compute before the Kubernetes provider sees the objects: the
 * generated passwords (random_password), keys and certificates (tls_*), and every `${...}`
 * reference in the synthesized JSON replaced by its value. Keys and certificates come from
 * openssl in the formats the tls provider writes (SEC1 "EC PRIVATE KEY" for ECDSA, PKCS#1 for
 * RSA, PEM certificates with the requested subject, SANs, key usages and CA flag).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Json = any;

export interface TerraformConfig {
  resource: Record<string, Record<string, Json>>;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const SPECIAL = '!@#$%&*()-_=+[]{}<>:?';

/** The whole configuration with every reference resolved; `replace` makes a resource's values anew. */
export class TerraformValues {
  private readonly computed = new Map<string, Json>();
  private readonly scratch = mkdtempSync(join(tmpdir(), 'polygres-sandbox-tls-'));

  constructor(private config: TerraformConfig) {}

  /** A new synth applied over the same state: values already generated are kept. */
  update(config: TerraformConfig): void {
    this.config = config;
  }

  /** `terraform apply -replace=<address>`: the resource's generated values are made anew. */
  replace(address: string): void {
    if (!this.computed.delete(address)) throw new Error(`sandbox: no generated resource ${address} to replace`);
  }

  /** Every resource of `type`, its references resolved, keyed by logical id. */
  resources(type: string): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [id, body] of Object.entries(this.config.resource[type] ?? {})) out[id] = this.resolve(body);
    return out;
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private resolve(value: Json): Json {
    if (typeof value === 'string') return this.interpolate(value);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]));
    return value;
  }

  private interpolate(text: string): Json {
    const whole = /^\$\{(.*)\}$/s.exec(text);
    if (whole && !whole[1]!.includes('${')) return this.expression(whole[1]!);
    return text.replace(/\$\{([^}]*)\}/g, (_, expression: string) => String(this.expression(expression)));
  }

  /** The shapes the constructs emit: a reference, jsonencode of an object of references, sha256 of a join of references. */
  private expression(expression: string): Json {
    const digest = /^sha256\(join\(("[^"]*"), \[(.*)\]\)\)$/s.exec(expression.trim());
    if (digest) {
      const parts = digest[2]!.split(',').map((reference) => reference.trim()).filter(Boolean).map((reference) => String(this.reference(reference)));
      return createHash('sha256').update(parts.join(JSON.parse(digest[1]!) as string)).digest('hex');
    }
    const encoded = /^jsonencode\(\{(.*)\}\)$/s.exec(expression.trim());
    if (encoded) {
      const object: Record<string, Json> = {};
      for (const pair of encoded[1]!.split(',')) {
        const [key, reference] = pair.split(' = ').map((part) => part.trim());
        object[JSON.parse(key!)] = this.reference(reference!);
      }
      return JSON.stringify(object);
    }
    return this.reference(expression.trim());
  }

  private reference(reference: string): Json {
    const [type, id, ...path] = reference.split('.');
    let value: Json = this.attributes(type!, id!);
    for (const step of path) {
      const indexed = /^(\w+)\[(\d+)\]$/.exec(step);
      // The provider's blocks are lists of one in state (metadata[0]); the JSON has the object.
      value = indexed ? value[indexed[1]!] : value[step];
      if (value === undefined) throw new Error(`sandbox: cannot resolve ${reference}`);
    }
    return value;
  }

  private attributes(type: string, id: string): Json {
    const key = `${type}.${id}`;
    if (!this.computed.has(key)) {
      const body = this.config.resource[type]?.[id];
      if (body === undefined) throw new Error(`sandbox: no resource ${key}`);
      this.computed.set(key, this.compute(type, id, this.resolve(body)));
    }
    return this.computed.get(key);
  }

  private compute(type: string, id: string, body: Json): Json {
    switch (type) {
      case 'random_password':
        return { ...body, result: randomPassword(body) };
      case 'tls_private_key':
        return { ...body, private_key_pem: this.privateKey(body) };
      case 'tls_self_signed_cert':
        return { ...body, cert_pem: this.selfSigned(id, body) };
      case 'tls_cert_request':
        return { ...body, cert_request_pem: this.request(id, body) };
      case 'tls_locally_signed_cert':
        return { ...body, cert_pem: this.locallySigned(id, body) };
      default:
        return body;
    }
  }

  private privateKey(body: Json): string {
    if (body.algorithm === 'ECDSA') {
      const curve = { P224: 'secp224r1', P256: 'prime256v1', P384: 'secp384r1', P521: 'secp521r1' }[body.ecdsa_curve as string] ?? 'secp224r1';
      return openssl(['ecparam', '-name', curve, '-genkey', '-noout']);
    }
    return openssl(['genrsa', '-traditional', String(body.rsa_bits ?? 2048)]);
  }

  private file(name: string, text: string): string {
    const path = join(this.scratch, name);
    writeFileSync(path, text);
    return path;
  }

  private selfSigned(id: string, body: Json): string {
    const key = this.file(`${id}.key`, body.private_key_pem);
    const extensions = [...usageExtensions(body.allowed_uses ?? []), `basicConstraints=critical,CA:${body.is_ca_certificate ? 'TRUE' : 'FALSE'}`];
    return openssl(['req', '-x509', '-new', '-key', key, '-subj', subject(body), '-days', days(body), ...extensions.flatMap((line) => ['-addext', line])]);
  }

  private request(id: string, body: Json): string {
    const key = this.file(`${id}.key`, body.private_key_pem);
    const names = [...(body.dns_names ?? []).map((name: string) => `DNS:${name}`), ...(body.ip_addresses ?? []).map((ip: string) => `IP:${ip}`)];
    const extensions = names.length ? ['-addext', `subjectAltName=${names.join(',')}`] : [];
    return openssl(['req', '-new', '-key', key, '-subj', subject(body), ...extensions]);
  }

  private locallySigned(id: string, body: Json): string {
    const request = this.file(`${id}.csr`, body.cert_request_pem);
    const ca = this.file(`${id}.ca.crt`, body.ca_cert_pem);
    const caKey = this.file(`${id}.ca.key`, body.ca_private_key_pem);
    const extensions = this.file(`${id}.ext`, [...usageExtensions(body.allowed_uses ?? []), 'basicConstraints=critical,CA:FALSE'].join('\n') + '\n');
    return openssl(['x509', '-req', '-in', request, '-CA', ca, '-CAkey', caKey, '-set_serial', String(randomInt(1, 2 ** 47)), '-days', days(body), '-copy_extensions', 'copyall', '-extfile', extensions]);
  }
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function subject(body: Json): string {
  const fields: Record<string, string> = { common_name: 'CN', organization: 'O', organizational_unit: 'OU', country: 'C', locality: 'L', province: 'ST' };
  const [first = {}] = body.subject ?? [];
  const parts = Object.entries(fields).filter(([field]) => first[field]).map(([field, short]) => `/${short}=${first[field]}`);
  return parts.join('') || '/';
}

function days(body: Json): string {
  return String(Math.max(1, Math.floor(Number(body.validity_period_hours ?? 24) / 24)));
}

/** The tls provider's allowed_uses, as X.509 key usage and extended key usage extensions. */
function usageExtensions(uses: string[]): string[] {
  const keyUsage: Record<string, string> = { digital_signature: 'digitalSignature', key_encipherment: 'keyEncipherment', cert_signing: 'keyCertSign', crl_signing: 'cRLSign', content_commitment: 'nonRepudiation', key_agreement: 'keyAgreement' };
  const extended: Record<string, string> = { server_auth: 'serverAuth', client_auth: 'clientAuth', code_signing: 'codeSigning', email_protection: 'emailProtection' };
  const basic = uses.map((use) => keyUsage[use]).filter(Boolean);
  const ext = uses.map((use) => extended[use]).filter(Boolean);
  return [...(basic.length ? [`keyUsage=critical,${basic.join(',')}`] : []), ...(ext.length ? [`extendedKeyUsage=${ext.join(',')}`] : [])];
}

/** random_password: `length` characters from the enabled classes, at least `min_*` of each. */
function randomPassword(body: Json): string {
  const classes: [boolean, string, number][] = [
    [body.lower !== false, LOWER, Number(body.min_lower ?? 0)],
    [body.upper !== false, UPPER, Number(body.min_upper ?? 0)],
    [body.numeric !== false && body.number !== false, DIGITS, Number(body.min_numeric ?? 0)],
    [body.special !== false, body.override_special ?? SPECIAL, Number(body.min_special ?? 0)],
  ];
  const enabled = classes.filter(([on]) => on);
  const alphabet = enabled.map(([, chars]) => chars).join('');
  const chars: string[] = enabled.flatMap(([, set, min]) => Array.from({ length: min }, () => set[randomInt(set.length)]!));
  while (chars.length < Number(body.length)) chars.push(alphabet[randomInt(alphabet.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

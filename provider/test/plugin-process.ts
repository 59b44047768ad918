/**
 * The provider as Terraform runs it: the built bundle launched with go-plugin's environment,
 * and a gRPC client over mutual TLS like Terraform's.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { type Certificate, runtime } from '@polygres/runtime';

const { createCertificate } = runtime.tls;
import { serviceDefinition } from '../src/plugin/grpc-service';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../src/plugin/handshake';

const PROVIDER = join(__dirname, '..');
export const LAUNCHER = join(PROVIDER, 'bin', 'terraform-provider-polygres');

/** Builds the bundle from the current source, so the tests never run a stale one. */
export function buildProvider(): void {
  execFileSync(process.execPath, [join(PROVIDER, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const root = new protobuf.Root().loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'].map((file) => join(PROVIDER, 'proto', file)));

/** A client certificate like go-plugin's: self-signed, usable as its own CA. */
export const clientCertificate = (): Promise<Certificate> => createCertificate({ commonName: 'terraform', names: ['localhost'] });

export interface LaunchedPlugin {
  readonly child: ChildProcess;
  /** The handshake line (or the first stdout line). */
  readonly line: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function launchPlugin(env: NodeJS.ProcessEnv): LaunchedPlugin {
  const child = spawn(process.execPath, [LAUNCHER], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const line = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void exited.then(() => reject(new Error(`plugin exited before its handshake: ${stderr}`)));
  });
  line.catch(() => undefined);
  return { child, line, exited, stderr: () => stderr };
}

export function terraformEnv(client: Certificate, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: '5,6',
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    PLUGIN_CLIENT_CERT: client.certificatePem,
    ...extra,
  };
}

export interface Handshake {
  readonly port: number;
  readonly serverCertificate: X509Certificate;
}

export function parseHandshake(line: string): Handshake {
  const [core, protocol, network, address, kind, certificate] = line.split('|');
  if (core !== '1' || protocol !== '6' || network !== 'tcp' || kind !== 'grpc' || !address || !certificate) throw new Error(`not a handshake line: ${line}`);
  return { port: Number(address.split(':')[1]), serverCertificate: new X509Certificate(Buffer.from(certificate, 'base64')) };
}

type Callback = (error: grpc.ServiceError | null, response: Record<string, unknown>) => void;
type Methods = Record<string, (request: object, callback: Callback) => void>;

/** A unary call to `service` as Terraform makes it, presenting `client` as its certificate. */
export function callPlugin(handshake: Handshake, client: Certificate, service: string, method: string, request: object = {}): Promise<Record<string, unknown>> {
  const Client = grpc.makeGenericClientConstructor(serviceDefinition(root, service), service);
  const credentials = grpc.credentials.createSsl(Buffer.from(handshake.serverCertificate.toString()), Buffer.from(client.privateKeyPem), Buffer.from(client.certificatePem));
  const stub = new Client(`127.0.0.1:${handshake.port}`, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
  return new Promise((resolve, reject) => {
    (stub as unknown as Methods)[method]!(request, (error, response) => {
      stub.close();
      if (error) reject(error);
      else resolve(response);
    });
  });
}

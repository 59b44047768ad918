/**
 * go-plugin's side of the launch: Terraform starts the plugin with a magic cookie, the
 * protocol versions it speaks, a port range and its client certificate, and reads one line
 * from stdout: `1|6|tcp|127.0.0.1:PORT|grpc|CERT`.
 */

export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
export const PROTOCOL_VERSION = 6;

export interface LaunchSettings {
  readonly minPort: number;
  readonly maxPort: number;
  /** Terraform's client certificate (PEM): the only client the server accepts. */
  readonly clientCertificatePem: string;
}

/** Why this process cannot serve as a plugin, in words for a person who ran it by hand. */
export class NotLaunchedByTerraform extends Error {}

export function launchSettings(env: NodeJS.ProcessEnv): LaunchSettings {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new NotLaunchedByTerraform(
      'This is the Polygres Terraform provider, a plugin that Terraform starts by itself.\n' +
        'Do not run it directly: point Terraform at it with dev_overrides (see provider/README.md).',
    );
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? '').split(',').map((v) => Number(v.trim()));
  if (!versions.includes(PROTOCOL_VERSION)) {
    throw new NotLaunchedByTerraform(`This provider speaks plugin protocol ${PROTOCOL_VERSION}; this Terraform offers ${env.PLUGIN_PROTOCOL_VERSIONS ?? 'none'} (Terraform 1.0 or newer is needed).`);
  }
  const clientCertificatePem = env.PLUGIN_CLIENT_CERT ?? '';
  if (!clientCertificatePem.includes('BEGIN CERTIFICATE')) {
    throw new NotLaunchedByTerraform('PLUGIN_CLIENT_CERT holds no certificate: this provider only serves over mutual TLS (Terraform 0.15 or newer sets it).');
  }
  const minPort = Number(env.PLUGIN_MIN_PORT ?? 0) || 0;
  const maxPort = Number(env.PLUGIN_MAX_PORT ?? 0) || 0;
  return { minPort, maxPort: Math.max(minPort, maxPort), clientCertificatePem };
}

/** The handshake line; the certificate as base64 of its DER without padding, as go-plugin reads it. */
export function handshakeLine(port: number, serverCertificateDer: Buffer): string {
  const certificate = serverCertificateDer.toString('base64').replace(/=+$/, '');
  return `${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${certificate}\n`;
}

/**
 * The plugin's gRPC server: mutual TLS with Terraform's client certificate as the only trusted
 * CA and a fresh self-signed server certificate (SAN DNS:localhost), on the first free port of
 * the range Terraform allows.
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { log } from './log';
import type { ProviderService } from '../service/provider-service';
import { runtime } from '../runtime/runtime';
import { goPluginServices } from './go-plugin-services';
import { serviceDefinition } from './grpc-service';
import type { LaunchSettings } from './handshake';
import { protoRoot } from './proto-root';

// Terraform's own limit for plugin messages; large states and schemas fit.
const MAX_MESSAGE_BYTES = 256 << 20;

export interface RunningPlugin {
  readonly port: number;
  readonly certificateDer: Buffer;
  /** Closes the server (ending the streams Terraform keeps open first). */
  close(): Promise<void>;
}

export async function servePlugin(settings: LaunchSettings, provider: ProviderService, onShutdown: () => void): Promise<RunningPlugin> {
  const { createCertificate } = runtime().tls;
  const certificate = await createCertificate({ commonName: 'localhost', names: ['localhost'], days: 30 });
  const root = protoRoot();
  const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_MESSAGE_BYTES });
  const goPlugin = goPluginServices(onShutdown);
  server.addService(serviceDefinition(root, 'tfplugin6.Provider'), unaryHandlers(provider));
  server.addService(serviceDefinition(root, 'plugin.GRPCController'), goPlugin.controller);
  server.addService(serviceDefinition(root, 'plugin.GRPCStdio'), goPlugin.stdio);
  server.addService(serviceDefinition(root, 'plugin.GRPCBroker'), goPlugin.broker);
  server.addService(serviceDefinition(root, 'grpc.health.v1.Health'), goPlugin.health);
  const credentials = ServerCredentials.createSsl(
    Buffer.from(settings.clientCertificatePem),
    [{ cert_chain: Buffer.from(certificate.certificatePem), private_key: Buffer.from(certificate.privateKeyPem) }],
    true,
  );
  const port = await bindInRange(server, credentials, settings.minPort, settings.maxPort);
  return {
    port,
    certificateDer: certificate.der,
    close: () => {
      goPlugin.endStreams();
      return new Promise((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

function unaryHandlers(provider: ProviderService): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(provider.handlers())) {
    handlers[name] = (call: ServerUnaryCall<unknown, object>, callback: sendUnaryData<object>) => {
      handler(call.request as never).then(
        (response) => callback(null, response),
        (error: unknown) => {
          log(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          callback({ code: status.INTERNAL, details: `${name}: ${error instanceof Error ? error.message : String(error)}` });
        },
      );
    };
  }
  return handlers;
}

async function bindInRange(server: Server, credentials: ServerCredentials, min: number, max: number): Promise<number> {
  const bind = (port: number) =>
    new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  if (min === 0) return bind(0);
  let lastError: unknown;
  for (let port = min; port <= max; port++) {
    try {
      return await bind(port);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free port from ${min} to ${max}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

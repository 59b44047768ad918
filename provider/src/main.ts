/**
 * Entry point of terraform-provider-polygres. Terraform launches it as a go-plugin plugin:
 * check the launch, serve gRPC over mutual TLS, print the handshake line, exit on Shutdown.
 */
import { log } from './plugin/log';
import { NotLaunchedByTerraform, handshakeLine, launchSettings } from './plugin/handshake';
import { type RunningPlugin, servePlugin } from './plugin/serve';
import { ProviderService } from './service/provider-service';
import { dataSources, resources } from './resources/registry';

// After Shutdown, the server gets this long to finish the reply before the process exits.
const EXIT_GRACE_MS = 100;

async function main(): Promise<void> {
  let settings;
  try {
    settings = launchSettings(process.env);
  } catch (error) {
    if (!(error instanceof NotLaunchedByTerraform)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  // Terraform forwards Ctrl-C as StopProvider and ends plugins with Shutdown; stdin is not ours.
  process.on('SIGINT', () => undefined);
  process.on('uncaughtException', (error) => log(`unexpected error (kept running): ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => log(`unexpected rejection (kept running): ${String(reason)}`));

  // Shutdown can only arrive once the server is up, so `serving.plugin` is set by then.
  const serving: { plugin?: RunningPlugin } = {};
  const shutdown = () => {
    setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
    void serving.plugin?.close().finally(() => process.exit(0));
  };
  const plugin = await servePlugin(settings, new ProviderService(resources(), dataSources()), shutdown);
  serving.plugin = plugin;
  process.stdout.write(handshakeLine(plugin.port, plugin.certificateDer));
}

main().catch((error: unknown) => {
  process.stderr.write(`polygres provider: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

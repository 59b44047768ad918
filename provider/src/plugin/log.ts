/**
 * Logging for a plugin: stdout belongs to the handshake line, so everything goes to stderr,
 * which Terraform folds into its own log (TF_LOG=debug shows it).
 */
export function log(message: string): void {
  process.stderr.write(`[polygres-provider] ${message}\n`);
}

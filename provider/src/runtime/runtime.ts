/**
 * The runtime's public API (@polygres/runtime, runtime/src/index.ts), loaded when first
 * needed: Terraform launches the provider several times per command, mostly for the schema,
 * and each group of the API loads its part of the runtime only on use. The bundle keeps this
 * require as it is, resolving the built runtime beside it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { runtime as RuntimeApi } from '@polygres/runtime';

let loaded: typeof RuntimeApi | undefined;

export function runtime(): typeof RuntimeApi {
  loaded ??= (require('@polygres/runtime') as { runtime: typeof RuntimeApi }).runtime;
  return loaded;
}

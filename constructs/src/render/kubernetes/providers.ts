/**
 * The random and tls providers need no configuration, so the renderer adds them to the stack
 * when the stack has none yet (declare your own first to configure them). The kubernetes
 * provider holds credentials: the app declares it.
 */
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export function ensureRandomProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.findAll().some((node) => node instanceof RandomProvider)) return;
  new RandomProvider(stack, 'polygres-random');
}

export function ensureTlsProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.findAll().some((node) => node instanceof TlsProvider)) return;
  new TlsProvider(stack, 'polygres-tls');
}

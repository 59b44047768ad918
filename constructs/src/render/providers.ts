/**
 * Providers that need no configuration (random, tls, polygres) are added to the stack when it
 * has none of that type yet; declare your own first to configure them. The kubernetes
 * provider holds credentials: the app declares it.
 */
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformProvider, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export function ensureProvider(scope: Construct, type: abstract new (...args: never[]) => TerraformProvider, create: (stack: TerraformStack) => void): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.findAll().some((node) => node instanceof type)) return;
  create(stack);
}

export function ensureRandomProvider(scope: Construct): void {
  ensureProvider(scope, RandomProvider, (stack) => new RandomProvider(stack, 'polygres-random'));
}

export function ensureTlsProvider(scope: Construct): void {
  ensureProvider(scope, TlsProvider, (stack) => new TlsProvider(stack, 'polygres-tls'));
}

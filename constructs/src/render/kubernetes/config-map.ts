import { createHash } from 'node:crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import type { Construct } from 'constructs';
import { renderLayout } from './layout';
import { type RenderContext, metadata } from './render-context';

/** The ClusterSpec and the layout every service starts with (`--layout`), as one ConfigMap. */
export function renderConfigMap(scope: Construct, context: RenderContext): ConfigMapV1 {
  return new ConfigMapV1(scope, 'config', { metadata: metadata(context, context.names.config()), data: configFiles(context) });
}

function configFiles(context: RenderContext): Record<string, string> {
  return {
    'spec.json': `${JSON.stringify(context.spec, null, 2)}\n`,
    'layout.json': `${JSON.stringify(renderLayout(context.spec, context.names), null, 2)}\n`,
  };
}

/**
 * A pod template annotation that changes with the ConfigMap: services read it at start, so a
 * Deployment rolls its pods when the spec or the layout changes (a mounted ConfigMap alone
 * would change under running processes that never read it again).
 */
export function configChecksum(context: RenderContext): Record<string, string> {
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(configFiles(context))) hash.update(name).update('\0').update(text);
  return { 'polygres.dev/config-checksum': hash.digest('hex') };
}

import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import type { Construct } from 'constructs';
import { renderLayout } from './layout';
import { type RenderContext, metadata } from './render-context';

/** The ClusterSpec and the layout every service starts with (`--layout`), as one ConfigMap. */
export function renderConfigMap(scope: Construct, context: RenderContext): ConfigMapV1 {
  return new ConfigMapV1(scope, 'config', {
    metadata: metadata(context, context.names.config()),
    data: {
      'spec.json': `${JSON.stringify(context.spec, null, 2)}\n`,
      'layout.json': `${JSON.stringify(renderLayout(context.spec, context.names), null, 2)}\n`,
    },
  });
}

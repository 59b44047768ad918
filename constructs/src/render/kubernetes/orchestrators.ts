/**
 * One orchestrator per zone, as on the local target: each has its own name in the layout
 * (`orchestrator-<zone>`), so each is its own Deployment of one replica, pinned to its zone
 * and kept off the nodes of the others. Terms make their races safe (ARCHITECTURE.md, control path).
 */
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { Construct } from 'constructs';
import { DEFAULT_RESOURCES } from '../../model/minimums';
import { POLYGRES, orchestratorArgs } from './command-lines';
import { configChecksum } from './config-map';
import { containerResources, containerSecurity, listenOn, runtimeMounts, runtimeVolumes, zonePod } from './pod-parts';
import { type RenderContext, metadata } from './render-context';
import { HTTP_PORTS, scrapeAnnotations } from './scraping';
import { PATHS, PORTS } from './settings';

export function renderOrchestrators(scope: Construct, context: RenderContext): Map<string, DeploymentV1> {
  const { names, settings, declaration } = context;
  const deployments = new Map<string, DeploymentV1>();
  for (const zone of declaration.zones) {
    const zoneScope = new Construct(scope, `orchestrator-${zone.name}`);
    const name = names.orchestrator(zone.name);
    const labels = names.labels('orchestrator', { zone: zone.name });
    const selector = names.selector('orchestrator', { zone: zone.name });
    new ServiceV1(zoneScope, 'service', {
      metadata: metadata(context, name, labels),
      spec: { selector, port: [{ name: 'admin', port: PORTS.orchestratorAdmin, targetPort: String(PORTS.orchestratorAdmin) }] },
    });
    deployments.set(zone.name, new DeploymentV1(zoneScope, 'deployment', {
      metadata: metadata(context, name, labels),
      spec: {
        replicas: '1',
        // Never two pods with the same orchestrator name at once.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { ...scrapeAnnotations('orchestrator'), ...configChecksum(context) } },
          spec: {
            ...zonePod(context, zone, 'orchestrator'),
            // The one component that calls the API: it rolls the instance pods after an update.
            serviceAccountName: names.orchestratorServiceAccount(),
            automountServiceAccountToken: true,
            hostAliases: listenOn([names.fqdn(name)]),
            container: [{
              name: 'orchestrator',
              image: settings.image,
              imagePullPolicy: settings.imagePullPolicy,
              command: [POLYGRES],
              args: orchestratorArgs(`orchestrator-${zone.name}`),
              env: [{ name: 'TZ', value: 'UTC' }],
              port: [{ name: HTTP_PORTS.orchestrator.name, containerPort: HTTP_PORTS.orchestrator.port }],
              // TCP, not GET /metrics: an orchestrator's /metrics computes the cluster view (the
              // history in etcd, the backups), and a slow dependency must not restart orchestrators.
              readinessProbe: { tcpSocket: [{ port: String(PORTS.orchestratorAdmin) }], periodSeconds: 5 },
              livenessProbe: { tcpSocket: [{ port: String(PORTS.orchestratorAdmin) }], initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
              resources: containerResources(declaration.kubernetes?.orchestratorResources, DEFAULT_RESOURCES.orchestrator),
              securityContext: containerSecurity(),
              volumeMount: [...runtimeMounts(false), { name: 'state', mountPath: PATHS.state }],
            }],
            volume: [...runtimeVolumes(names, undefined, 'admin'), { name: 'state', emptyDir: {} }],
          },
        },
      },
    }));
  }
  return deployments;
}

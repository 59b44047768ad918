/**
 * A gateway Deployment and Service per zone, pinned to the zone, and one cluster-wide Service
 * over every zone's gateways. Clients in a zone use their zone's Service; the cluster-wide one
 * is for clients that do not care.
 */
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { Construct } from 'constructs';
import { DEFAULT_RESOURCES } from '../../model/minimums';
import type { Zone } from '../../model/zone';
import { POLYGRES, gatewayArgs } from './command-lines';
import { configChecksum } from './config-map';
import { containerResources, containerSecurity, listenOn, runtimeMounts, runtimeVolumes, zonePod } from './pod-parts';
import { type RenderContext, metadata } from './render-context';
import { HTTP_PORTS, METRICS_PATH, scrapeAnnotations } from './scraping';
import { PATHS, PORTS } from './settings';

export interface RenderedGateways {
  readonly deployments: Map<string, DeploymentV1>;
  readonly services: Map<string, ServiceV1>;
  readonly clusterService: ServiceV1;
}

export function renderGateways(scope: Construct, context: RenderContext): RenderedGateways {
  const deployments = new Map<string, DeploymentV1>();
  const services = new Map<string, ServiceV1>();
  for (const zone of context.declaration.zones) {
    const zoneScope = new Construct(scope, `gateway-${zone.name}`);
    services.set(zone.name, new ServiceV1(zoneScope, 'service', {
      metadata: metadata(context, context.names.gateway(zone.name), context.names.labels('gateway', { zone: zone.name })),
      spec: { selector: context.names.selector('gateway', { zone: zone.name }), port: gatewayPorts(context) },
    }));
    deployments.set(zone.name, renderZoneGateway(zoneScope, context, zone));
  }
  const clusterService = new ServiceV1(scope, 'gateway-service', {
    metadata: metadata(context, context.names.gatewayAll(), context.names.labels('gateway')),
    spec: { type: context.settings.gatewayServiceType, selector: context.names.selector('gateway'), port: gatewayPorts(context).slice(0, 2) },
  });
  return { deployments, services, clusterService };
}

function gatewayPorts(context: RenderContext) {
  const port = context.spec.gateway.port;
  return [
    { name: 'postgres', port, targetPort: String(port) },
    { name: 'replica', port: port + 1, targetPort: String(port + 1) },
    { name: 'metrics', port: PORTS.gatewayMetrics, targetPort: String(PORTS.gatewayMetrics) },
  ];
}

function renderZoneGateway(scope: Construct, context: RenderContext, zone: Zone): DeploymentV1 {
  const { names, settings, declaration, spec } = context;
  const labels = names.labels('gateway', { zone: zone.name });
  const port = spec.gateway.port;
  const withTls = context.tlsSecretName !== undefined;
  return new DeploymentV1(scope, 'deployment', {
    metadata: metadata(context, names.gateway(zone.name), labels),
    spec: {
      replicas: String(declaration.gateway.replicasPerZone ?? 2),
      selector: { matchLabels: names.selector('gateway', { zone: zone.name }) },
      template: {
        metadata: { labels, annotations: { ...scrapeAnnotations('gateway'), ...configChecksum(context) } },
        spec: {
          ...zonePod(context, zone, 'gateway'),
          hostAliases: listenOn([names.fqdn(names.gateway(zone.name))]),
          container: [{
            name: 'gateway',
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            command: [POLYGRES],
            args: gatewayArgs(zone.name),
            // Each replica registers its own address, so a cancel reaching the other replica
            // is forwarded to the one holding the session.
            env: [{ name: 'TZ', value: 'UTC' }, { name: 'POLYGRES_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            port: [
              { name: 'postgres', containerPort: port },
              { name: 'replica', containerPort: port + 1 },
              { name: HTTP_PORTS.gateway.name, containerPort: HTTP_PORTS.gateway.port },
            ],
            readinessProbe: { tcpSocket: [{ port: String(port) }], periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: METRICS_PATH, port: String(HTTP_PORTS.gateway.port), scheme: 'HTTPS' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
            resources: containerResources(declaration.gateway.resources, DEFAULT_RESOURCES.gateway),
            securityContext: containerSecurity(),
            volumeMount: [...runtimeMounts(withTls), { name: 'state', mountPath: PATHS.state }],
          }],
          volume: [...runtimeVolumes(names, context.tlsSecretName, 'admin'), { name: 'state', emptyDir: {} }],
        },
      },
    },
  });
}

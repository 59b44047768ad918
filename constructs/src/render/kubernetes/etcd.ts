/**
 * etcd: three members spread over the zones (one per zone where there are three), a headless
 * Service for peer names and a client Service the layout points every service at.
 */
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { Construct } from 'constructs';
import { DEFAULT_RESOURCES } from '../../model/minimums';
import { etcdArgs } from './command-lines';
import { avoidSameNode, containerResources, containerSecurity, runtimePod } from './pod-parts';
import { type RenderContext, metadata } from './render-context';
import { ETCD_MEMBERS, PATHS, PORTS } from './settings';

export function renderEtcd(scope: Construct, context: RenderContext): StatefulSetV1 {
  const { names, settings } = context;
  const kubernetes = context.declaration.kubernetes!;
  const selector = names.selector('etcd');
  new ServiceV1(scope, 'etcd-peers', {
    metadata: metadata(context, names.etcdPeers(), names.labels('etcd')),
    spec: {
      clusterIp: 'None',
      publishNotReadyAddresses: true,
      selector,
      port: [{ name: 'client', port: PORTS.etcdClient }, { name: 'peer', port: PORTS.etcdPeer }],
    },
  });
  new ServiceV1(scope, 'etcd-client', {
    metadata: metadata(context, names.etcd(), names.labels('etcd')),
    spec: { selector, port: [{ name: 'client', port: PORTS.etcdClient }] },
  });
  return new StatefulSetV1(scope, 'etcd', {
    metadata: metadata(context, names.etcd(), names.labels('etcd')),
    spec: {
      serviceName: names.etcdPeers(),
      replicas: String(ETCD_MEMBERS),
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: names.labels('etcd') },
        spec: {
          ...runtimePod(names, settings),
          affinity: { podAntiAffinity: avoidSameNode(names, 'etcd') },
          topologySpreadConstraint: [{
            maxSkew: 1,
            topologyKey: settings.zoneLabel,
            // Never two members in a zone while a zone has none: with three zones one each
            // (losing a zone keeps quorum); with fewer, maxSkew 1 still lets two share one.
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: [{ matchLabels: selector }],
          }],
          container: [{
            name: 'etcd',
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            command: ['etcd'],
            args: etcdArgs(names),
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            port: [{ name: 'client', containerPort: PORTS.etcdClient }, { name: 'peer', containerPort: PORTS.etcdPeer }, { name: 'metrics', containerPort: PORTS.etcdMetrics }],
            // The client port requires a certificate the kubelet does not have: probe the metrics port.
            readinessProbe: { httpGet: { path: '/health', port: String(PORTS.etcdMetrics) }, periodSeconds: 5, failureThreshold: 3 },
            // Alive is listening: etcd 3.4 (the image's) ignores ?serializable, and /health fails
            // without quorum, which would restart the survivors of a lost quorum in a loop.
            livenessProbe: { tcpSocket: [{ port: String(PORTS.etcdMetrics) }], initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 6 },
            resources: containerResources(kubernetes.etcdResources, DEFAULT_RESOURCES.etcd),
            securityContext: containerSecurity(),
            volumeMount: [{ name: 'data', mountPath: PATHS.etcdVolume }, { name: 'etcd-tls', mountPath: PATHS.etcdTls, readOnly: true }],
          }],
          volume: [{ name: 'etcd-tls', secret: { secretName: names.etcdTlsSecret(), defaultMode: '0440' } }],
        },
      },
      volumeClaimTemplate: [{
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(settings.storageClass ? { storageClassName: settings.storageClass } : {}),
          resources: { requests: { storage: kubernetes.etcdStorageSize ?? DEFAULT_RESOURCES.etcd.storage } },
        },
      }],
    },
  });
}

/**
 * One StatefulSet of one pod per Postgres instance, pinned to its zone, with its own data
 * volume (the zone's storage class) and a headless Service that gives the pod the DNS name
 * the layout names it by.
 *
 * The pod's main container runs `polygres pooler`, which owns its Postgres (it runs initdb,
 * starts, promotes and stops the server with pg_ctl) and runs pgBackRest: Postgres,
 * pooler and pgBackRest share this container's processes, sockets and data directory, as
 * they do on the local target (docs/DECISIONS.md, Constructs).
 */
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import { Construct } from 'constructs';
import { DEFAULT_RESOURCES } from '../../model/minimums';
import type { Zone } from '../../model/zone';
import { POLYGRES, poolerArgs } from './command-lines';
import { configChecksum } from './config-map';
import { backupSecretEnv, containerResources, containerSecurity, runtimeMounts, runtimeVolumes, zonePod } from './pod-parts';
import { type RenderContext, metadata } from './render-context';
import { HTTP_PORTS, scrapeAnnotations } from './scraping';
import { PATHS, PORTS } from './settings';

export function renderInstances(scope: Construct, context: RenderContext): Map<string, StatefulSetV1> {
  const sets = new Map<string, StatefulSetV1>();
  for (const zone of context.declaration.zones) {
    for (const instance of zone.instanceNames()) {
      sets.set(instance, renderInstance(new Construct(scope, `instance-${instance}`), context, zone, instance));
    }
  }
  return sets;
}

function renderInstance(scope: Construct, context: RenderContext, zone: Zone, instance: string): StatefulSetV1 {
  const { names, settings, declaration } = context;
  const name = names.instance(instance);
  const labels = names.labels('postgres', { zone: zone.name, instance });
  const selector = names.selector('postgres', { instance });
  const storageClass = zone.storageClass ?? settings.storageClass;
  new ServiceV1(scope, 'service', {
    metadata: metadata(context, name, labels),
    spec: {
      clusterIp: 'None',
      // The pooler binds to its pod's DNS name before it is ready.
      publishNotReadyAddresses: true,
      selector,
      port: [
        { name: 'postgres', port: PORTS.postgres },
        { name: 'pooler', port: PORTS.pooler },
        { name: 'admin', port: PORTS.poolerAdmin },
      ],
    },
  });
  return new StatefulSetV1(scope, 'statefulset', {
    metadata: metadata(context, name, labels),
    // The provider's rollout wait rejects OnDelete: left on, every apply errors on these
    // StatefulSets, taints them, and the next apply replaces them (killing the instances).
    waitForRollout: false,
    spec: {
      serviceName: name,
      replicas: '1',
      selector: { matchLabels: selector },
      updateStrategy: [{ type: 'OnDelete' }],
      template: {
        // A new image or configuration makes a new template revision; the orchestrators roll
        // the pods to it in order (standbys, a switchover, the old primary), as OnDelete leaves
        // that to them.
        metadata: { labels, annotations: { ...scrapeAnnotations('postgres'), ...configChecksum(context) } },
        spec: {
          ...zonePod(context, zone, 'postgres'),
          // The pod's pause process is PID 1 and reaps orphans: the postmaster, orphaned when
          // pg_ctl exits, would otherwise stay a zombie of the pooler (PID 1 without an init)
          // after every SIGKILL fence, pass kill(pid, 0), hold its lock file and block a restart.
          shareProcessNamespace: true,
          // A pooler stops its Postgres with a checkpoint before it exits.
          terminationGracePeriodSeconds: 120,
          initContainer: [{
            name: 'prepare',
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            command: ['mkdir', '-p', `${PATHS.state}/data`, `${PATHS.state}/run`, `${PATHS.state}/logs`],
            securityContext: containerSecurity(),
            volumeMount: [{ name: 'data', mountPath: PATHS.state }],
          }],
          container: [{
            name: 'pooler',
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            command: [POLYGRES],
            args: poolerArgs(instance),
            // SIGTERM on a primary (a drain, a rolling update) switches over before stopping.
            env: [{ name: 'TZ', value: 'UTC' }, { name: 'POLYGRES_HAND_OVER_ON_STOP', value: '1' }, ...backupSecretEnv(context.spec)],
            port: [
              { name: 'postgres', containerPort: PORTS.postgres },
              { name: 'pooler', containerPort: PORTS.pooler },
              { name: HTTP_PORTS.postgres.name, containerPort: HTTP_PORTS.postgres.port },
            ],
            // The pooler's own health checks (runtime/src/observability/health-checks.ts): live
            // while its checks of Postgres keep finishing (a Postgres that is down is the pooler's
            // to restart, not a reason to restart the pod), ready when Postgres answers and the
            // pooler is not cloning, rewinding or in an election. initdb, or a new replica's
            // restore from backup, can take hours: the startup probe waits up to 6 hours, and a
            // pooler stuck at start would not be helped by a restart either.
            startupProbe: { httpGet: { path: '/liveness', port: String(HTTP_PORTS.postgres.port), scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 2160 },
            readinessProbe: { httpGet: { path: '/readiness', port: String(HTTP_PORTS.postgres.port), scheme: 'HTTPS' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/liveness', port: String(HTTP_PORTS.postgres.port), scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
            resources: containerResources(declaration.postgres.resources, DEFAULT_RESOURCES.postgres),
            securityContext: containerSecurity(),
            volumeMount: [...runtimeMounts(false), { name: 'data', mountPath: PATHS.state }],
          }],
          volume: runtimeVolumes(names, undefined, 'instance'),
        },
      },
      volumeClaimTemplate: [{
        metadata: { name: 'data', labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(storageClass ? { storageClassName: storageClass } : {}),
          resources: { requests: { storage: declaration.postgres.storageSize ?? DEFAULT_RESOURCES.postgres.storage } },
        },
      }],
    },
  });
}

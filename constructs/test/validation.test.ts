/** Invalid declarations fail synth with the construct path, the prop and the fix. */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { BackupPolicy, BackupRepository, BackupSchedule, DurabilityPolicy, PolygresCluster, type PolygresClusterProps, S3KeyType, Target, Zone } from '../src';
import { newStack, synthCluster } from './synth';

const three = () => [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')];

function synthError(props: PolygresClusterProps, customize: (cluster: PolygresCluster) => void = () => undefined): string {
  try {
    synthCluster(props, customize);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth succeeded but should have failed');
}

describe('validation at synth', () => {
  const cases: [string, PolygresClusterProps, RegExp, ((c: PolygresCluster) => void)?][] = [
    ['surviveZoneFailure() with two zones', { zones: [Zone.of('zone-a'), Zone.of('zone-b')], durability: DurabilityPolicy.surviveZoneFailure(), target: Target.kubernetes() },
      /\[test\/orders\] durability: surviveZoneFailure\(\) needs instances in at least three zones.*\(fix: declare instances in a third zone/],
    ['atLeast(3) with two instances', { zones: [Zone.of('zone-a'), Zone.of('zone-b')], durability: DurabilityPolicy.atLeast(3), target: Target.local() },
      /\[test\/orders\] durability: atLeast\(3\) needs at least 3 instances but 2 are declared \(fix: lower n to 2 or fewer, or add 1 instance\(s\)\)/],
    ['multiZone with one zone', { zones: [Zone.of('zone-a', { instances: 3 })], durability: DurabilityPolicy.multiZone(2), target: Target.kubernetes() },
      /durability: multiZone\(2\) needs instances in at least two zones.*\(fix: declare instances in a second zone/],
    ['multiZone(1)', { zones: three(), durability: DurabilityPolicy.multiZone(1), target: Target.kubernetes() },
      /durability: multiZone\(1\): n must be an integer of at least 2/],
    ['a duplicate zone', { zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-a')], target: Target.kubernetes() },
      /zones\[2\]\.name: zone "zone-a" is declared twice \(fix: give every zone a unique name/],
    ['a zone without instances', { zones: [...three(), Zone.of('zone-d', { instances: 0 })], target: Target.kubernetes() },
      /zones\[3\]\.instances: zone "zone-d" has 0 instances/],
    ['an invalid zone name', { zones: [Zone.of('Zone_A'), Zone.of('zone-b')], target: Target.kubernetes() },
      /zones\[0\]\.name: zone name "Zone_A" must be lower-case/],
    ['memory below the minimum', { zones: three(), target: Target.kubernetes(), postgres: { resources: { memory: '128Mi' } } },
      /postgres\.resources\.memory: 128Mi is below the minimum of 256Mi \(fix: give at least 256Mi\)/],
    ['cpu below the minimum', { zones: three(), target: Target.kubernetes(), gateway: { resources: { cpu: '10m' } } },
      /gateway\.resources\.cpu: 10m is below the minimum of 50m/],
    ['storage below the minimum', { zones: three(), target: Target.kubernetes(), postgres: { storageSize: '500Mi' } },
      /postgres\.storageSize: 500Mi is below the minimum of 1Gi/],
    ['an unreadable quantity', { zones: three(), target: Target.kubernetes({ etcdResources: { memory: 'lots' } }) },
      /target\.etcdResources\.memory: "lots" is not a Kubernetes quantity/],
    ['a toleration with an unknown operator', { zones: three(), target: Target.kubernetes({ tolerations: [{ key: 'db', operator: 'In', value: 'yes' }] }) },
      /target\.tolerations\[0\]\.operator: "In" is not a toleration operator \(fix: use "Equal" or "Exists"\)/],
    ['tolerationSeconds without NoExecute', { zones: three(), target: Target.kubernetes({ tolerations: [{ key: 'db', effect: 'NoSchedule', tolerationSeconds: 30 }] }) },
      /target\.tolerations\[0\]\.tolerationSeconds: tolerationSeconds applies only to the NoExecute effect/],
    ['an invalid priority class name', { zones: three(), target: Target.kubernetes({ priorityClassName: 'Database Critical' }) },
      /target\.priorityClassName: "Database Critical" is not a PriorityClass name/],
    ['a protected parameter', { zones: three(), target: Target.local(), postgres: { parameters: { fsync: 'off' } } },
      /postgres\.parameters\.fsync: "fsync" is managed by Polygres.*\(fix: remove "fsync" from postgres\.parameters\)/],
    ['a misspelled Postgres parameter', { zones: three(), target: Target.kubernetes(), postgres: { parameters: { shared_bufers: '256MB' } } },
      /postgres\.parameters\.shared_bufers: "shared_bufers" is not a Postgres parameter \(fix: did you mean "shared_buffers"\?\)/],
    ['a Postgres parameter value Postgres would refuse', { zones: three(), target: Target.local(), postgres: { parameters: { max_connections: 'abc' } } },
      /postgres\.parameters\.max_connections: "abc" is not an integer/],
    ['a bad cron schedule', { zones: three(), target: Target.local(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.posix('/backups'), schedule: BackupSchedule.cron('0 25 * * *') }) },
      /backup\.schedule\.full: "0 25 \* \* \*": the hour must be from 0 to 23/],
    ['a relative posix repository', { zones: three(), target: Target.local(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.posix('backups') }) },
      /backup\.repository: the posix repository path "backups" is not absolute/],
    ['a posix repository on Kubernetes', { zones: three(), target: Target.kubernetes(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.posix('/backups') }) },
      /backup\.repository: a posix repository would live on one pod's volume.*\(fix: use BackupRepository\.s3/],
    ['an S3 path without a slash', { zones: three(), target: Target.kubernetes(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'bucket', region: 'r', credentialsSecret: 's', path: 'x' }) }) },
      /backup\.repository\.path: "x" does not start with "\/"/],
    ['an S3 repository with keyType shared and no secret', { zones: three(), target: Target.local(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'bucket', region: 'r', keyType: S3KeyType.SHARED }) }) },
      /backup\.repository\.credentialsSecret: keyType "shared" signs with an access key, and no credentialsSecret names one \(fix: name the secret holding "key" and "keySecret", or set keyType to S3KeyType\.WEB_ID/],
    ['an S3 repository with the pod\'s identity and a secret', { zones: three(), target: Target.kubernetes(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'bucket', region: 'r', keyType: S3KeyType.WEB_ID, credentialsSecret: 's' }) }) },
      /backup\.repository\.credentialsSecret: keyType "web-id" takes credentials from the pod's web identity, so secret "s" would never be read \(fix: remove credentialsSecret, or set keyType to S3KeyType\.SHARED\)/],
    ['a base port too high', { zones: three(), target: Target.local({ basePort: 65530 }) },
      /target\.basePort: 65530 cannot start a block of 23 ports/],
    ['an invalid cluster name', { clusterName: 'Orders!', zones: three(), target: Target.kubernetes() },
      /clusterName: "Orders!" must be lower-case/],
    ['a pool smaller than its minimum', { zones: three(), target: Target.kubernetes(), pooler: { poolSize: 2, minPoolSize: 5 } },
      /pooler\.minPoolSize: 5 is more than poolSize \(2\)/],
    ['names Kubernetes cannot hold', { clusterName: 'orders-primary-cluster-production-region', zones: [Zone.of('us-east-1a'), Zone.of('us-east-1b'), Zone.of('us-east-1c')], target: Target.kubernetes() },
      /zones\[0\]\.name: the instance StatefulSet name "orders-primary-cluster-production-region-us-east-1a-0" is 53 characters long; Kubernetes allows 52 \(fix: shorten clusterName \("orders-primary-cluster-production-region"\) or the zone name by 1 characters\)/],
    ['a label value Kubernetes refuses', { zones: [Zone.of('zone-a', { labelValue: 'us east' }), Zone.of('zone-b'), Zone.of('zone-c')], target: Target.kubernetes() },
      /zones\[0\]\.labelValue: "us east" is not a valid Kubernetes label value/],
    ['a user on an undeclared database', { zones: three(), target: Target.kubernetes() },
      /addUser\("app"\)\.databases: database "orders" is not declared \(fix: call cluster\.addDatabase\("orders"\)/, (c) => c.addUser('app', { databases: ['orders'] })],
    ['a reserved role', { zones: three(), target: Target.kubernetes() },
      /addUser\("replicator"\): role "replicator" is created by Polygres itself/, (c) => c.addUser('replicator')],
    ['a user added twice', { zones: three(), target: Target.kubernetes() },
      /addUser\("app"\): user "app" is declared twice/, (c) => { c.addUser('app'); c.addUser('app'); }],
    ['a Prometheus namespace Kubernetes refuses', { zones: three(), target: Target.kubernetes({ monitoring: { prometheusNamespace: 'Monitoring' } }) },
      /target\.monitoring\.prometheusNamespace: "Monitoring" is not a Kubernetes namespace name \(fix: name the namespace Prometheus runs in/],
    ['monitoring labels Kubernetes refuses', { zones: three(), target: Target.kubernetes({ monitoring: { podMonitors: true, labels: { 'bad key': 'x', release: 'not ok' } } }) },
      /target\.monitoring\.labels\["bad key"\]: "bad key" is not a Kubernetes label name.*target\.monitoring\.labels\["release"\]: "not ok" is not a Kubernetes label value/s],
  ];

  it.each(cases)('refuses %s', (_, props, message, customize) => {
    expect(synthError(props, customize)).toMatch(message);
  });

  it('reports every problem at once', () => {
    const message = synthError({ zones: [Zone.of('zone-a'), Zone.of('zone-a')], target: Target.kubernetes(), postgres: { parameters: { wal_level: 'minimal' } } });
    expect(message).toMatch(/zones\[1\]\.name/);
    expect(message).toMatch(/postgres\.parameters\.wal_level/);
  });

  it('warns for none() and still synthesizes', () => {
    const stack = newStack();
    const cluster = new PolygresCluster(stack, 'dev', { zones: three(), durability: DurabilityPolicy.none(), target: Target.local() });
    Testing.synth(stack, true);
    const warnings = cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^durability: none\(\) replicates asynchronously.*\(fix: use atLeast\(2\)/)]);
  });

  it('warns when two users of the local target list one database (it has one owner)', () => {
    const stack = newStack();
    const cluster = new PolygresCluster(stack, 'dev', { zones: three(), target: Target.local() });
    cluster.addDatabase('shop');
    cluster.addUser('a', { databases: ['shop'] });
    cluster.addUser('b', { databases: ['shop'] });
    Testing.synth(stack, true);
    const warnings = cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^addUser\("b"\)\.databases: on the local target database "shop" is owned by "a"; "b" gets no privileges on it/)]);
  });

  it('accepts an S3 repository without a secret (the machine\'s identity), and warns when web-id has no role to assume on Kubernetes', () => {
    const withoutSecret = synthCluster({ zones: three(), target: Target.local(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'bucket', region: 'r' }) }) });
    expect(withoutSecret.cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn')).toEqual([]);
    const webId = synthCluster({ zones: three(), target: Target.kubernetes(), backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'bucket', region: 'r', keyType: S3KeyType.WEB_ID }) }) });
    const warnings = webId.cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^backup\.repository\.keyType: web-id needs AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the pods, which EKS sets only when their service account carries "eks\.amazonaws\.com\/role-arn" \(fix: set Target\.kubernetes\(\{ serviceAccountAnnotations: /)]);
  });

  it('warns when monitoring labels have no PodMonitor or PrometheusRule to go on', () => {
    const { cluster } = synthCluster({ zones: three(), target: Target.kubernetes({ monitoring: { labels: { release: 'kube-prometheus-stack' } } }) });
    const warnings = cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^target\.monitoring\.labels: labels are given, but no PodMonitor or PrometheusRule is rendered to carry them \(fix: set podMonitors or prometheusRule to true, or remove labels\)/)]);
  });

  it('accepts the declarations the examples use without warnings', () => {
    const { cluster } = synthCluster({ zones: three(), durability: DurabilityPolicy.surviveZoneFailure(), target: Target.kubernetes() });
    expect(cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn')).toEqual([]);
  });
});

/**
 * Production on Kubernetes across three AWS availability zones: survives losing any one zone
 * without losing a commit or stopping writes, backed up to S3 every night.
 */
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import {
  BackupPolicy,
  BackupRepository,
  BackupSchedule,
  DurabilityPolicy,
  PolygresCluster,
  Target,
  Zone,
} from '@polygres/constructs';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export interface KubernetesMultiAzProps {
  /**
   * The Polygres release the pods run. Upgrading is changing it and applying: gateways and
   * orchestrators roll, and the orchestrators restart the instances in order (standbys, a
   * switchover, the old primary) with writes continuing.
   */
  readonly imageTag?: string;
}

export class KubernetesMultiAzStack extends TerraformStack {
  public readonly cluster: PolygresCluster;

  constructor(scope: Construct, id: string, props: KubernetesMultiAzProps = {}) {
    super(scope, id);
    new KubernetesProvider(this, 'kubernetes', { configPath: '~/.kube/config' });

    this.cluster = new PolygresCluster(this, 'orders', {
      zones: [Zone.of('us-east-1a'), Zone.of('us-east-1b'), Zone.of('us-east-1c')],
      durability: DurabilityPolicy.surviveZoneFailure(),
      target: Target.kubernetes({ namespace: 'orders', storageClass: 'gp3', imageTag: props.imageTag ?? '0.1.0' }),
      postgres: { resources: { cpu: '2', memory: '8Gi' }, storageSize: '200Gi', parameters: { work_mem: '64MB' } },
      backup: BackupPolicy.pgBackRest({
        // An existing Secret "orders-s3" with the keys "key" and "keySecret".
        repository: BackupRepository.s3({ bucket: 'acme-orders-backups', region: 'us-east-1', credentialsSecret: 'orders-s3' }),
        schedule: BackupSchedule.daily({ hour: 1 }),
        retention: { fullBackups: 7 },
        encrypted: true,
      }),
    });
    this.cluster.addDatabase('orders');
    this.cluster.addUser('orders_app', { databases: ['orders'] });
  }
}

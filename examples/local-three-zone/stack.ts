/**
 * A cluster on this machine: three zones, one Postgres each, commits on two nodes, a database
 * and its user. `cdktf deploy` runs it with the polygres provider; synth also writes the
 * ClusterSpec that `polygres up --spec` runs without Terraform.
 */
import { PolygresCluster, Target, DurabilityPolicy, Zone, BackupPolicy, BackupRepository, BackupSchedule } from '@polygres/constructs';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export class LocalThreeZoneStack extends TerraformStack {
  public readonly cluster: PolygresCluster;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.cluster = new PolygresCluster(this, 'local', {
      zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')],
      durability: DurabilityPolicy.atLeast(2),
      // The environment may move it (tests run it beside other clusters).
      target: Target.local({ stateDir: process.env.POLYGRES_STATE_DIR ?? '.polygres/local', basePort: Number(process.env.POLYGRES_BASE_PORT ?? 15432) }),
      backup: BackupPolicy.pgBackRest({
        repository: BackupRepository.posix(process.env.POLYGRES_BACKUP_DIR ?? '/var/tmp/polygres/local-backups'),
        schedule: BackupSchedule.daily({ hour: 1 }),
        retention: { fullBackups: 3 },
      }),
    });
    this.cluster.addDatabase('shop');
    this.cluster.addUser('shop_app', { databases: ['shop'] });
  }
}

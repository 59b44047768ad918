/**
 * Backup credentials reach pgBackRest: the environment the instance pods get, expanded the
 * way Kubernetes expands `$(VAR)`, is what the runtime's pgBackRest configuration reads; with
 * IRSA, the service account names the role and no key exists anywhere.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBackupConfig } from '../../runtime/src/deployment/backup-files';
import { planLayout } from '../../runtime/src/deployment/layout';
import { validateSpec } from '../../runtime/src/spec';
import { BackupPolicy, BackupRepository, S3KeyType, Target, Zone } from '../src';
import { type Json, resourceList, synthCluster } from './synth';

const secretValues: Record<string, string> = {
  'orders-s3/key': 'AKIAEXAMPLEKEY',
  'orders-s3/keySecret': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  'orders-backup-passphrase/passphrase': 'Zq3Xv9pL2mN8rT5wY7uB1cD4',
};

/** Kubernetes' rules: variables in order, `$(NAME)` replaced by an earlier variable's value. */
function expand(env: Json[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const variable of env) {
    const ref = variable.value_from?.secret_key_ref;
    values[variable.name] = ref
      ? secretValues[`${ref.name}/${ref.key}`]!
      : String(variable.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => values[name] ?? whole);
  }
  return values;
}

const saved = { ...process.env };
const dirs: string[] = [];
afterEach(() => {
  process.env = { ...saved };
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('backup secrets on Kubernetes', () => {
  it('the pods\' environment gives the runtime the S3 keys and the passphrase', () => {
    const { config } = synthCluster({
      zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')],
      target: Target.kubernetes(),
      backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', credentialsSecret: 'orders-s3' }), encrypted: true }),
    });
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    const { spec } = validateSpec(JSON.parse(configMap.data['spec.json']));
    const pod = resourceList(config, 'kubernetes_stateful_set_v1').find((s) => s.metadata.labels['app.kubernetes.io/component'] === 'postgres');
    Object.assign(process.env, expand(pod.spec.template.spec.container[0].env));

    const stateDir = mkdtempSync(join(tmpdir(), 'polygres-backup-env-'));
    dirs.push(stateDir);
    const files = writeBackupConfig(planLayout({ spec, stateDir, basePort: 30000 }), spec)!;
    const conf = readFileSync(files.configFile, 'utf8');
    expect(conf).toContain(`repo1-s3-key=${secretValues['orders-s3/key']}`);
    expect(conf).toContain(`repo1-s3-key-secret=${secretValues['orders-s3/keySecret']}`);
    expect(conf).toContain(secretValues['orders-backup-passphrase/passphrase']);
  });

  it('with IRSA the service account names the role, and pgBackRest assumes it with no key', () => {
    const role = 'arn:aws:iam::123456789012:role/orders-backups';
    const { config, cluster } = synthCluster({
      zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')],
      target: Target.kubernetes({ serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': role } }),
      backup: BackupPolicy.pgBackRest({ repository: BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', keyType: S3KeyType.WEB_ID }) }),
    });
    expect(cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn')).toEqual([]);
    const accounts = resourceList(config, 'kubernetes_service_account_v1');
    const account = accounts.find((candidate) => candidate.metadata.name.endsWith('-runtime'))!;
    const orchestratorAccount = accounts.find((candidate) => candidate.metadata.name.endsWith('-orchestrator'))!;
    expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': role });
    expect(orchestratorAccount.metadata.annotations).toBeUndefined();
    expect(account.automount_service_account_token).toBe(false);
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    const { spec } = validateSpec(JSON.parse(configMap.data['spec.json']));
    expect(spec.backup!.repositories[0]).toMatchObject({ type: 's3', keyType: 'web-id' });
    expect(spec.backup!.repositories[0]).not.toHaveProperty('credentialsSecret');
    const pods = [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1')];
    for (const pod of pods) {
      // The orchestrators' own account (it rolls the instance pods) has no cloud role: they reach the repository through the poolers.
      const orchestrator = pod.spec.template.metadata.labels['app.kubernetes.io/component'] === 'orchestrator';
      expect(pod.spec.template.spec.service_account_name).toBe(orchestrator ? orchestratorAccount.metadata.name : account.metadata.name);
      for (const container of pod.spec.template.spec.container as Json[]) expect((container.env ?? []).map((e: Json) => e.name)).not.toContainEqual(expect.stringMatching(/^POLYGRES_SECRET_/));
    }

    const stateDir = mkdtempSync(join(tmpdir(), 'polygres-backup-env-'));
    dirs.push(stateDir);
    const conf = readFileSync(writeBackupConfig(planLayout({ spec, stateDir, basePort: 30000 }), spec)!.configFile, 'utf8');
    expect(conf).toContain('repo1-s3-key-type=web-id');
    expect(conf).not.toMatch(/repo1-s3-key=|repo1-s3-key-secret=/);
  });
});

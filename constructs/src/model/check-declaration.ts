/**
 * The synth-time checks of a cluster declaration: the runtime's ClusterSpec rules (names,
 * durability against the instances, Postgres parameters, backups) plus what only the
 * constructs know (resources, users, targets). Each problem names the prop and the fix.
 */
import { BackupRepositoryType, type S3BackupRepositoryProps, S3KeyType, s3KeyTypeOf } from './backup-repository';
import { cronProblem } from './backup-schedule';
import { type ClusterDeclaration, instancesOf } from './cluster-declaration';
import { checkDurability, policyArgumentProblem } from './durability-rules';
import { checkMonitoring } from './check-monitoring';
import { GatewayAuthMethod } from './gateway-options';
import { DEFAULT_RESOURCES, MINIMUMS } from './minimums';
import { dnsLabelProblem, sqlIdentifierProblem } from './names';
import type { DeclarationProblem } from './problem';
import type { KubernetesToleration } from './target-props';
import { parametersProblems } from './postgres-parameters/check-parameter';
import { POSTGRES_15_PARAMETERS } from './postgres-parameters/postgres-15-parameters';
import { PROTECTED_PARAMETERS } from './protected-parameters';
import { type ContainerResources, bytesOf, coresOf } from './resources';

/** The service account annotation with which EKS (IRSA) gives a pod a role. */
const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Roles the runtime creates itself. */
const RESERVED_ROLES = ['postgres', 'replicator'];

export function checkDeclaration(declaration: ClusterDeclaration): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const error = (prop: string, message: string, fix: string) => problems.push({ severity: 'error', prop, message, fix });
  const warn = (prop: string, message: string, fix: string) => problems.push({ severity: 'warning', prop, message, fix });

  const nameProblem = dnsLabelProblem(declaration.name);
  if (nameProblem) error('clusterName', `"${declaration.name}" ${nameProblem}`, 'set clusterName to a lower-case DNS label such as "orders"');

  checkZones(declaration, error);
  const zonesValid = problems.length === 0;

  const argument = policyArgumentProblem(declaration.durability);
  if (argument) error('durability', argument.message, argument.fix);
  else if (zonesValid) {
    for (const finding of checkDurability(declaration.durability, instancesOf(declaration))) {
      (finding.severity === 'error' ? error : warn)('durability', finding.message, finding.fix);
    }
  }

  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(declaration.postgres.parameters ?? {})) {
    if (PROTECTED_PARAMETERS.includes(name.toLowerCase())) {
      error(`postgres.parameters.${name}`, `"${name}" is managed by Polygres (replication, failover or durability depend on it)`, `remove "${name}" from postgres.parameters`);
    } else parameters[name] = value;
  }
  for (const problem of parametersProblems(POSTGRES_15_PARAMETERS, parameters)) error(`postgres.parameters.${problem.name}`, problem.message, problem.fix);

  checkNumbers(declaration, error);
  if (declaration.gateway.auth === GatewayAuthMethod.TRUST && declaration.kubernetes) {
    warn('gateway.auth', 'trust lets anyone who reaches a gateway log in as any role', 'use GatewayAuthMethod.SCRAM_SHA_256 outside local development');
  }
  checkBackup(declaration, error, warn);
  if (declaration.kubernetes) {
    checkKubernetes(declaration, error);
    checkMonitoring(declaration.kubernetes.monitoring, error, warn);
  }
  if (declaration.local) checkLocal(declaration, error);
  checkUsers(declaration, error, warn);
  return problems;
}

type Report = (prop: string, message: string, fix: string) => void;

function checkZones(declaration: ClusterDeclaration, error: Report): void {
  if (declaration.zones.length === 0) error('zones', 'no zone is declared', "add at least one zone: zones: [Zone.of('zone-a')]");
  const seen = new Set<string>();
  declaration.zones.forEach((zone, index) => {
    const problem = dnsLabelProblem(zone.name);
    if (problem) error(`zones[${index}].name`, `zone name "${zone.name}" ${problem}`, 'use a lower-case DNS label such as "us-east-1a"');
    if (seen.has(zone.name)) error(`zones[${index}].name`, `zone "${zone.name}" is declared twice`, 'give every zone a unique name, or raise `instances` of the first one');
    seen.add(zone.name);
    if (!Number.isInteger(zone.instanceCount) || zone.instanceCount < 1) {
      error(`zones[${index}].instances`, `zone "${zone.name}" has ${zone.instanceCount} instances`, 'give every zone a whole number of instances, at least 1, or remove the zone');
      return;
    }
    const longest = `${zone.name}-${zone.instanceCount - 1}`;
    if (!problem && dnsLabelProblem(longest)) error(`zones[${index}].name`, `instance name "${longest}" would be longer than 40 characters`, 'use a shorter zone name');
  });
}

function checkNumbers(declaration: ClusterDeclaration, error: Report): void {
  const integer = (prop: string, value: number | undefined, minimum: number, maximum = Number.MAX_SAFE_INTEGER) => {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      error(prop, `${value} is not a whole number from ${minimum}${maximum === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${maximum}`}`, `set ${prop} to at least ${minimum}`);
    }
  };
  const { pooler, gateway } = declaration;
  integer('pooler.poolSize', pooler.poolSize, 1);
  integer('pooler.minPoolSize', pooler.minPoolSize, 0);
  integer('pooler.reservedConnections', pooler.reservedConnections, 0);
  integer('pooler.queueTimeoutMs', pooler.queueTimeoutMs, 0);
  integer('pooler.idleTimeoutMs', pooler.idleTimeoutMs, 0);
  integer('pooler.serverLifetimeMs', pooler.serverLifetimeMs, 0);
  integer('pooler.preparedStatementCacheSize', pooler.preparedStatementCacheSize, 0);
  integer('pooler.pipelineDepth', pooler.pipelineDepth, 0, 16);
  if (pooler.minPoolSize !== undefined && pooler.minPoolSize > (pooler.poolSize ?? 20)) {
    error('pooler.minPoolSize', `${pooler.minPoolSize} is more than poolSize (${pooler.poolSize ?? 20})`, 'lower minPoolSize or raise poolSize');
  }
  integer('gateway.port', gateway.port, 1, 65535);
  integer('gateway.replicasPerZone', gateway.replicasPerZone, 1);
  integer('gateway.replicaReadMaxLagBytes', gateway.replicaReadMaxLagBytes, 0);
  integer('gateway.failoverBufferWindowMs', gateway.failoverBufferWindowMs, 0);
  integer('gateway.failoverBufferMaxQueued', gateway.failoverBufferMaxQueued, 0);
  const limits = gateway.limits ?? {};
  integer('gateway.limits.loginTimeoutMs', limits.loginTimeoutMs, 1);
  integer('gateway.limits.maxClientConnections', limits.maxClientConnections, 1);
  integer('gateway.limits.maxConnectionsPerUser', limits.maxConnectionsPerUser, 0);
  integer('gateway.limits.maxPendingLogins', limits.maxPendingLogins, 1);
  integer('gateway.limits.maxMessageBytes', limits.maxMessageBytes, 64 * 1024);
  integer('gateway.limits.clientBufferBytes', limits.clientBufferBytes, 1024 * 1024);
  integer('gateway.limits.idleInTransactionTimeoutMs', limits.idleInTransactionTimeoutMs, 0);
  integer('gateway.limits.slowClientTimeoutMs', limits.slowClientTimeoutMs, 1);
  if ((limits.maxMessageBytes ?? 64 * 1024 * 1024) > (limits.clientBufferBytes ?? 256 * 1024 * 1024)) {
    error('gateway.limits.maxMessageBytes', 'one message would not fit in the memory budget for client messages', 'lower maxMessageBytes or raise clientBufferBytes');
  }
  if (gateway.tlsRequired === true && gateway.tls === false) {
    error('gateway.tlsRequired', 'TLS is required of clients, but the gateway serves no TLS (tls: false)', 'set tls to true, or tlsRequired to false');
  }
}

function checkBackup(declaration: ClusterDeclaration, error: Report, warn: Report): void {
  const backup = declaration.backup;
  if (!backup) return;
  if (backup.repositories.length > 4) error('backup.additionalRepositories', `${backup.repositories.length} repositories are declared`, 'declare at most 4 in all (pgBackRest supports four)');
  backup.repositories.forEach((repository, index) => {
    const prop = index === 0 ? 'backup.repository' : `backup.additionalRepositories[${index - 1}]`;
    if (repository.type === BackupRepositoryType.POSIX) {
      if (!repository.path?.startsWith('/')) error(prop, `the posix repository path "${repository.path ?? ''}" is not absolute (pgBackRest needs an absolute repo path)`, 'give BackupRepository.posix an absolute directory, e.g. "/var/backups/polygres"');
      if (declaration.kubernetes) {
        error(prop, 'a posix repository would live on one pod\'s volume, out of reach of the other instances', 'use BackupRepository.s3({...}) on Kubernetes');
      }
      return;
    }
    const s3 = repository.s3Props!;
    if (s3.bucket.length < 3) error(`${prop}.bucket`, `bucket "${s3.bucket}" is shorter than 3 characters`, 'give the bucket name');
    if (!s3.region) error(`${prop}.region`, 'the region is empty', "give the bucket's region, e.g. us-east-1");
    checkS3Credentials(declaration, prop, repository.s3Props!, error, warn);
    if (s3.path !== undefined && !s3.path.startsWith('/')) error(`${prop}.path`, `"${s3.path}" does not start with "/"`, `write "/${s3.path}"`);
  });
  for (const [field, text] of [['full', backup.schedule.full], ['diff', backup.schedule.diff], ['incr', backup.schedule.incr]] as const) {
    const problem = text === undefined ? undefined : cronProblem(text);
    if (problem) error(`backup.schedule.${field}`, problem, 'write five cron fields, e.g. "0 1 * * *", or use BackupSchedule.daily()');
  }
  if (!Number.isInteger(backup.fullBackups) || backup.fullBackups < 1) error('backup.retention.fullBackups', `${backup.fullBackups} full backups`, 'keep at least 1 full backup');
  if (backup.diffBackups !== undefined && (!Number.isInteger(backup.diffBackups) || backup.diffBackups < 1)) {
    error('backup.retention.diffBackups', `${backup.diffBackups} differential backups`, 'keep at least 1, or leave it unset');
  }
}

/** The runtime's rule (runtime/src/spec/validate.ts checkBackupCredentials), plus IRSA's annotation. */
function checkS3Credentials(declaration: ClusterDeclaration, prop: string, s3: S3BackupRepositoryProps, error: Report, warn: Report): void {
  const keyType = s3KeyTypeOf(s3);
  if (keyType === S3KeyType.SHARED && !s3.credentialsSecret) {
    error(`${prop}.credentialsSecret`, 'keyType "shared" signs with an access key, and no credentialsSecret names one', 'name the secret holding "key" and "keySecret", or set keyType to S3KeyType.WEB_ID (a pod\'s role, e.g. IRSA) or S3KeyType.AUTO (an instance profile)');
  }
  if (keyType !== S3KeyType.SHARED && s3.credentialsSecret) {
    const source = keyType === S3KeyType.WEB_ID ? 'pod\'s web identity' : 'instance metadata service';
    error(`${prop}.credentialsSecret`, `keyType "${keyType}" takes credentials from the ${source}, so secret "${s3.credentialsSecret}" would never be read`, 'remove credentialsSecret, or set keyType to S3KeyType.SHARED');
  }
  // EKS gives a pod AWS_ROLE_ARN and its token only when the pod's service account names the role.
  if (keyType === S3KeyType.WEB_ID && declaration.kubernetes && !declaration.kubernetes.serviceAccountAnnotations?.[IRSA_ROLE_ANNOTATION]) {
    warn(`${prop}.keyType`, `web-id needs AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the pods, which EKS sets only when their service account carries "${IRSA_ROLE_ANNOTATION}"`, `set Target.kubernetes({ serviceAccountAnnotations: { '${IRSA_ROLE_ANNOTATION}': '<role ARN>' } })`);
  }
}

function checkKubernetes(declaration: ClusterDeclaration, error: Report): void {
  const kubernetes = declaration.kubernetes!;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(kubernetes.namespace)) {
    error('target.namespace', `"${kubernetes.namespace}" is not a Kubernetes namespace name`, 'use lower-case letters, digits and dashes (at most 63)');
  }
  checkResources('postgres.resources', declaration.postgres.resources, MINIMUMS.postgres, error);
  checkStorage('postgres.storageSize', declaration.postgres.storageSize ?? DEFAULT_RESOURCES.postgres.storage, MINIMUMS.postgres.storage, error);
  checkResources('gateway.resources', declaration.gateway.resources, MINIMUMS.gateway, error);
  checkResources('target.orchestratorResources', kubernetes.orchestratorResources, MINIMUMS.orchestrator, error);
  checkResources('target.etcdResources', kubernetes.etcdResources, MINIMUMS.etcd, error);
  checkStorage('target.etcdStorageSize', kubernetes.etcdStorageSize ?? DEFAULT_RESOURCES.etcd.storage, MINIMUMS.etcd.storage, error);
  if (kubernetes.priorityClassName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(kubernetes.priorityClassName)) {
    error('target.priorityClassName', `"${kubernetes.priorityClassName}" is not a PriorityClass name`, 'use lower-case letters, digits, dots and dashes');
  }
  (kubernetes.tolerations ?? []).forEach((toleration, index) => checkToleration(`target.tolerations[${index}]`, toleration, error));
}

const TAINT_EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function checkToleration(prop: string, toleration: KubernetesToleration, error: Report): void {
  const operator = toleration.operator ?? 'Equal';
  if (operator !== 'Equal' && operator !== 'Exists') error(`${prop}.operator`, `"${operator}" is not a toleration operator`, 'use "Equal" or "Exists"');
  if (operator === 'Exists' && toleration.value) error(`${prop}.value`, 'a toleration with operator "Exists" matches any value', 'leave value out, or use operator "Equal"');
  if (!TAINT_EFFECTS.includes(toleration.effect ?? '')) error(`${prop}.effect`, `"${toleration.effect}" is not a taint effect`, 'use "NoSchedule", "PreferNoSchedule" or "NoExecute" (or leave it out for all)');
  if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
    error(`${prop}.tolerationSeconds`, 'tolerationSeconds applies only to the NoExecute effect', 'set effect: "NoExecute", or leave tolerationSeconds out');
  }
}

function checkResources(prop: string, resources: ContainerResources | undefined, minimum: { cpu: number; memory: number }, error: Report): void {
  if (!resources) return;
  for (const [field, text, parse, least, shown] of [
    ['cpu', resources.cpu, coresOf, minimum.cpu, `${minimum.cpu * 1000}m`],
    ['cpuLimit', resources.cpuLimit, coresOf, minimum.cpu, `${minimum.cpu * 1000}m`],
    ['memory', resources.memory, bytesOf, minimum.memory, `${minimum.memory / 2 ** 20}Mi`],
  ] as const) {
    if (text === undefined) continue;
    const value = parse(text);
    if (value === undefined) error(`${prop}.${field}`, `"${text}" is not a Kubernetes quantity`, field === 'memory' ? 'write it like "512Mi" or "2Gi"' : 'write it like "250m" or "2"');
    else if (value < least) error(`${prop}.${field}`, `${text} is below the minimum of ${shown}`, `give at least ${shown}`);
  }
}

function checkStorage(prop: string, text: string, minimum: number, error: Report): void {
  const value = bytesOf(text);
  if (value === undefined) error(prop, `"${text}" is not a Kubernetes quantity`, 'write it like "10Gi"');
  else if (value < minimum) error(prop, `${text} is below the minimum of ${minimum / 2 ** 30}Gi`, `give at least ${minimum / 2 ** 30}Gi`);
}

/** The local target's port block (runtime/src/deployment/layout.ts portsNeeded). */
function checkLocal(declaration: ClusterDeclaration, error: Report): void {
  const needed = 4 * declaration.zones.length + 2 + 3 * instancesOf(declaration).length;
  const { basePort } = declaration.local!;
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + needed - 1 > 65535) {
    error('target.basePort', `${basePort} cannot start a block of ${needed} ports`, `use a whole number from 1024 to ${65535 - needed + 1}`);
  }
}

function checkUsers(declaration: ClusterDeclaration, error: Report, warn: Report): void {
  const databases = new Set<string>(['postgres']);
  for (const database of declaration.databases) {
    const prop = `addDatabase("${database}")`;
    const problem = sqlIdentifierProblem(database);
    if (problem) error(prop, `database name "${database}" ${problem}`, 'use a name like "orders"');
    if (databases.has(database)) error(prop, `database "${database}" is declared twice`, 'call addDatabase once per database');
    databases.add(database);
  }
  const users = new Set<string>();
  for (const user of declaration.users) {
    const prop = `addUser("${user.name}")`;
    const problem = sqlIdentifierProblem(user.name);
    if (problem) error(prop, `role name "${user.name}" ${problem}`, 'use a name like "app"');
    if (RESERVED_ROLES.includes(user.name)) error(prop, `role "${user.name}" is created by Polygres itself`, 'choose another role name');
    if (users.has(user.name)) error(prop, `user "${user.name}" is declared twice`, 'call addUser once per user');
    users.add(user.name);
    for (const database of user.databases) {
      if (!databases.has(database)) error(`${prop}.databases`, `database "${database}" is not declared`, `call cluster.addDatabase("${database}") or remove it from databases`);
    }
  }
  if (declaration.local) {
    // polygres_database has one owner and the provider grants nothing else.
    const owners = new Map<string, string>();
    for (const user of declaration.users) {
      for (const database of user.databases) {
        const owner = owners.get(database);
        if (owner === undefined) owners.set(database, user.name);
        else warn(`addUser("${user.name}").databases`, `on the local target database "${database}" is owned by "${owner}"; "${user.name}" gets no privileges on it`, `grant them with SQL, or list "${database}" for one user only`);
      }
    }
  }
}

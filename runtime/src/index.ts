/**
 * @polygres/runtime's public API: what other programs — the Terraform provider first — may
 * use of the runtime, and nothing deeper. Each group loads on first use: Terraform starts the
 * provider several times per command, mostly for its schema alone, and the runtime's heavier
 * parts (zod, the etcd and gRPC clients) should cost those starts nothing. That is why the
 * groups are getters over `require`, not re-exports.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as AdminClient from './admin/http-client';
import type * as OrchestratorClient from './admin/orchestrator-client';
import type * as ClusterStatus from './cli/status-command';
import type * as OrchestratorApi from './cli/orchestrator-api';
import type * as PolicyArgument from './cli/parse-policy';
import type * as Registry from './consensus/registry';
import type * as Layout from './deployment/layout';
import type * as LayoutFile from './deployment/layout-file';
import type * as Secrets from './deployment/secrets';
import type * as Children from './local/children';
import type * as Connection from './local/connection';
import type * as RestartOrchestrators from './local/restart-orchestrators';
import type * as SupervisorFiles from './local/supervisor-files';
import type * as Scram from './protocol/scram-server';
import type * as Spec from './spec/index';
import type * as Certificates from './tls/certificates';
import type * as Cron from './util/cron-schedule';
import type * as Net from './util/net';
import type * as Processes from './util/processes';

export type { ClusterLayout, GatewayLayout, InstanceLayout, OrchestratorLayout } from './deployment/layout';
export type { ClusterSecrets } from './deployment/secrets';
export type { ClusterSpec, ClusterSpecInput } from './spec/schema';
export type { LocalClusterStatus } from './cli/status-command';
export type { OrchestratorRequest } from './admin/orchestrator-client';
export type { DurabilityPolicySpec } from './consensus/policy';
export type { ValidatedSpec } from './spec/validate';
export type { BackupRecord, StanzaInfo } from './backup/pgbackrest-runner';
export type { ClusterStatus } from './orchestrator/cluster-status';
export type { Certificate } from './tls/certificates';

export const runtime = {
  /** The ClusterSpec: schema, validation with the field and the fix, defaults, JSON Schema. */
  get spec(): typeof Spec {
    return require('./spec/index');
  },
  /** Durability policies by name, and `atLeast:2`-style arguments. */
  get policies(): Pick<typeof Registry, 'policyFor'> & Pick<typeof PolicyArgument, 'parsePolicyArgument'> {
    return { ...require('./consensus/registry'), ...require('./cli/parse-policy') };
  },
  /** X.509 certificates (the provider's plugin handshake). */
  get tls(): Pick<typeof Certificates, 'createCertificate'> {
    return require('./tls/certificates');
  },
  /** SCRAM verifiers as Postgres stores them (role passwords set by Terraform). */
  get scram(): Pick<typeof Scram, 'makeScramVerifier' | 'formatScramVerifier' | 'parseScramVerifier'> {
    return require('./protocol/scram-server');
  },
  /** Backup schedules. */
  get cron(): Pick<typeof Cron, 'checkCronSchedule' | 'nextCronRun'> {
    return require('./util/cron-schedule');
  },
  /** A local cluster's files: its layout, secrets and processes. */
  get local(): Pick<typeof Layout, 'layoutFile'> &
    Pick<typeof LayoutFile, 'readLayoutOfStateDir'> &
    Pick<typeof Secrets, 'readSecrets'> &
    Pick<typeof SupervisorFiles, 'readSupervisorState' | 'isClusterProcess'> &
    Pick<typeof Processes, 'readPidFile' | 'isOurProcess'> &
    Pick<typeof Children, 'POLYGRES_BIN'> &
    Pick<typeof Connection, 'connectionUrl'> &
    Pick<typeof ClusterStatus, 'localClusterStatus'> &
    Pick<typeof RestartOrchestrators, 'restartOrchestrators'> {
    return {
      ...require('./deployment/layout'),
      ...require('./deployment/layout-file'),
      ...require('./deployment/secrets'),
      ...require('./local/supervisor-files'),
      ...require('./util/processes'),
      ...require('./local/children'),
      ...require('./local/connection'),
      ...require('./cli/status-command'),
      ...require('./local/restart-orchestrators'),
    };
  },
  /** The orchestrators' and poolers' admin APIs. */
  get admin(): Pick<typeof OrchestratorApi, 'callOrchestrator'> & Pick<typeof OrchestratorClient, 'callAnyOrchestrator'> & Pick<typeof AdminClient, 'AdminCallError'> {
    return { ...require('./cli/orchestrator-api'), ...require('./admin/orchestrator-client'), ...require('./admin/http-client') };
  },
  /** Waiting for ports and conditions. */
  get net(): Pick<typeof Net, 'waitFor' | 'isListening'> {
    return require('./util/net');
  },
};

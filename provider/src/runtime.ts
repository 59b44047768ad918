/**
 * The runtime's compiled modules (@polygres/runtime), loaded when first needed: Terraform
 * launches the provider several times per command, mostly for the schema, so start-up loads
 * only the certificate code; spec validation (zod) and status (etcd client) load on use.
 * The bundle keeps these requires as they are, resolving the built runtime beside it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

type Tls = typeof import('@polygres/runtime/dist/tls/certificates');
type Spec = typeof import('@polygres/runtime/dist/spec/index');
type Status = typeof import('@polygres/runtime/dist/cli/status-command');
type Layout = typeof import('@polygres/runtime/dist/local/layout') & typeof import('@polygres/runtime/dist/local/layout-file');
type Secrets = typeof import('@polygres/runtime/dist/local/secrets');
type Orchestrator = typeof import('@polygres/runtime/dist/cli/orchestrator-api');
type Admin = typeof import('@polygres/runtime/dist/admin/http-client');
type Processes = typeof import('@polygres/runtime/dist/util/processes') & typeof import('@polygres/runtime/dist/local/supervisor-files');
type Children = typeof import('@polygres/runtime/dist/local/children');
type Policies = typeof import('@polygres/runtime/dist/consensus/registry') & typeof import('@polygres/runtime/dist/cli/parse-policy');
type Connection = typeof import('@polygres/runtime/dist/local/connection');
type Scram = typeof import('@polygres/runtime/dist/protocol/scram-server');
type Cron = typeof import('@polygres/runtime/dist/backup/cron');
type Net = typeof import('@polygres/runtime/dist/util/net');

export const requireRuntime = {
  tls: (): Tls => require('@polygres/runtime/dist/tls/certificates'),
  spec: (): Spec => require('@polygres/runtime/dist/spec/index'),
  status: (): Status => require('@polygres/runtime/dist/cli/status-command'),
  layout: (): Layout => ({ ...require('@polygres/runtime/dist/local/layout'), ...require('@polygres/runtime/dist/local/layout-file') }),
  secrets: (): Secrets => require('@polygres/runtime/dist/local/secrets'),
  orchestrator: (): Orchestrator => require('@polygres/runtime/dist/cli/orchestrator-api'),
  admin: (): Admin => require('@polygres/runtime/dist/admin/http-client'),
  processes: (): Processes => ({ ...require('@polygres/runtime/dist/util/processes'), ...require('@polygres/runtime/dist/local/supervisor-files') }),
  children: (): Children => require('@polygres/runtime/dist/local/children'),
  policies: (): Policies => ({ ...require('@polygres/runtime/dist/consensus/registry'), ...require('@polygres/runtime/dist/cli/parse-policy') }),
  connection: (): Connection => require('@polygres/runtime/dist/local/connection'),
  scram: (): Scram => require('@polygres/runtime/dist/protocol/scram-server'),
  cron: (): Cron => require('@polygres/runtime/dist/backup/cron'),
  net: (): Net => require('@polygres/runtime/dist/util/net'),
};

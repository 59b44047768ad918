/**
 * Renders the configuration Polygres owns inside a data directory: `polygres.conf` (included
 * from postgresql.conf) and `pg_hba.conf`. Rewritten whole on every start, so a hand edit or a
 * file copied from the primary by pg_basebackup never leaves a stale setting behind.
 */
import type { InternalTlsFiles } from '../deployment/layout';
import { REPLICATION_USER } from '../deployment/secrets';
import { verifiedTls } from './verified-tls';

export interface PostgresSettings {
  readonly instanceName: string;
  readonly listenAddress: string;
  readonly port: number;
  /** Private socket directory for the pooler's server connections. */
  readonly socketDir: string;
  /** Enough WAL senders for every standby plus backups and rewinds. */
  readonly maxWalSenders: number;
  /** The spec's `postgres.parameters`, already checked against the protected list. */
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  /** Present on a standby: where to stream from. Absent: a primary, or a standby cut off by recruitment. */
  readonly upstream?: { readonly host: string; readonly port: number; readonly passfile: string };
  /** On a primary: the synchronous_standby_names its rule requires ('' for none). */
  readonly syncStandbyNames?: string;
  /**
   * Internal TLS (Kubernetes): Postgres serves the internal certificate, pg_hba.conf takes TCP
   * connections over TLS only, and a standby streams with verify-full against the authority.
   */
  readonly tls?: InternalTlsFiles;
  /** WAL archiving with pgBackRest (the spec has a backup section). */
  readonly archive?: { readonly archiveCommand: string; readonly restoreCommand?: string };
}

export const POLYGRES_CONF = 'polygres.conf';
/** Postgres max_connections unless the spec sets it; the pooler sizes its budget from it. */
export const DEFAULT_MAX_CONNECTIONS = 200;
export const INCLUDE_LINE = `include '${POLYGRES_CONF}'`;

export function renderPolygresConf(settings: PostgresSettings): string {
  const owned: Record<string, string | number | boolean> = {
    listen_addresses: settings.listenAddress,
    port: settings.port,
    unix_socket_directories: settings.socketDir,
    unix_socket_permissions: '0700',
    cluster_name: settings.instanceName,
    wal_level: 'replica',
    hot_standby: true,
    hot_standby_feedback: true,
    max_wal_senders: settings.maxWalSenders,
    max_replication_slots: settings.maxWalSenders,
    wal_keep_size: '1GB',
    wal_log_hints: true,
    max_connections: DEFAULT_MAX_CONNECTIONS,
    synchronous_commit: 'on',
    fsync: true,
    full_page_writes: true,
    password_encryption: 'scram-sha-256',
    wal_sender_timeout: '10s',
    wal_receiver_timeout: '10s',
    wal_receiver_status_interval: '1s',
    // A repointed standby reconnects this soon: it bounds the write pause of a failover.
    wal_retrieve_retry_interval: '200ms',
    synchronous_standby_names: settings.syncStandbyNames ?? '',
    // The logging collector writes the log, so that it can be renamed under a running server
    // and the collector told to start a new file (postgres-log-rotation.ts): Postgres' own
    // rotation would invent file names and never delete one. Where it writes is given at
    // start (PostgresControl.start), the file pg_ctl -l sends what comes before it to.
    logging_collector: true,
    log_rotation_age: 0,
    log_rotation_size: 0,
    // `polygres logs` reads this prefix (logs/postgres-log-line.ts); UTC, like every other log.
    log_line_prefix: '%m [%p] %q%u@%d ',
    log_timezone: 'UTC',
  };
  const lines = ['# Rendered by Polygres on every start; edits here are overwritten.', ''];
  for (const [name, value] of Object.entries(owned)) {
    // A spec parameter that is not protected (max_connections) replaces our default below.
    if (!(name in settings.parameters)) lines.push(`${name} = ${quote(value)}`);
  }
  if (settings.tls) {
    lines.push('ssl = on', `ssl_cert_file = ${quote(settings.tls.certFile)}`, `ssl_key_file = ${quote(settings.tls.keyFile)}`, `ssl_ca_file = ${quote(settings.tls.caFile)}`);
  }
  if (settings.archive) {
    // Only the primary archives (archive_mode = on); any server may fetch WAL it lacks.
    lines.push('archive_mode = on', `archive_command = ${quote(settings.archive.archiveCommand)}`);
    if (settings.archive.restoreCommand) lines.push(`restore_command = ${quote(settings.archive.restoreCommand)}`);
    // A segment is archived when full: on a quiet cluster that can take hours, and a
    // point-in-time restore cannot reach past the last archived segment. A minute bounds it.
    if (!('archive_timeout' in settings.parameters)) lines.push(`archive_timeout = ${quote(ARCHIVE_TIMEOUT)}`);
  }
  if (settings.upstream) {
    const { host, port, passfile } = settings.upstream;
    const conninfo = `host=${host} port=${port} user=${REPLICATION_USER} passfile=${passfile} application_name=${settings.instanceName} connect_timeout=2${verifiedTls(settings.tls)}`;
    lines.push(`primary_conninfo = ${quote(conninfo)}`);
  }
  const extra = Object.entries(settings.parameters);
  if (extra.length > 0) {
    lines.push('', '# From the ClusterSpec (postgres.parameters)');
    for (const [name, value] of extra) lines.push(`${name} = ${quote(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The pooler's private Unix socket (directory mode 0700, owned by the Postgres OS user) is
 * trusted: clients are authenticated with SCRAM before they reach the pooler. Every TCP
 * connection — replication, administration — needs a password (SCRAM), and with internal TLS
 * it must come over TLS (`hostssl`: a plaintext one matches no line and is refused). The
 * replication role may only replicate: any other connection of it is rejected ("all" never
 * matches a replication connection, so the reject lines leave streaming and pg_basebackup alone).
 */
export function renderHba(networks: readonly string[], tls = false): string {
  const lines = ['# Rendered by Polygres; edits here are overwritten.', '# TYPE DATABASE USER ADDRESS METHOD', `local all ${REPLICATION_USER} reject`, 'local all all trust'];
  const host = tls ? 'hostssl' : 'host';
  for (const network of networks) {
    lines.push(`${host} replication ${REPLICATION_USER} ${network} scram-sha-256`);
    lines.push(`${host} all ${REPLICATION_USER} ${network} reject`);
    lines.push(`${host} all all ${network} scram-sha-256`);
  }
  return `${lines.join('\n')}\n`;
}

/** How old the newest unarchived WAL may grow on a cluster that writes (postgres.parameters can change it). */
export const ARCHIVE_TIMEOUT = '60s';

function quote(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

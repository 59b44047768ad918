/**
 * Read/write splitting with read-your-writes, for sessions that ask for it
 * (`polygres.read_routing = replica` at startup): a cycle that is a single read-only statement
 * outside a transaction goes to a replica, everything else to the primary. After each cycle on
 * the primary the session learns the primary's WAL position, and reads go to a replica only
 * once it has replayed that far — so a session always reads its own writes.
 */
import { parseLsn } from '../consensus/lsn';
import type { Backend, BackendConnection, CycleHint } from '../session/backend';
import type { RoutedBackend } from './routed-backend';
import type { ReplicaSelector } from './replica-selector';

export class SplitBackend implements Backend {
  readonly routesReadOnly = true;
  readonly lossMessage: string;
  /** WAL position of the session's last cycle on the primary. */
  private mustSee = -1n;

  constructor(
    private readonly primary: RoutedBackend,
    private readonly replica: RoutedBackend,
    private readonly replicas: ReplicaSelector,
  ) {
    this.lossMessage = primary.lossMessage;
  }

  get knownStatements(): Set<string> {
    return this.primary.knownStatements;
  }

  tryAcquire(owner: object, hint?: CycleHint): BackendConnection | undefined {
    return this.pick(hint).tryAcquire(owner, hint);
  }

  acquire(owner: object, hint?: CycleHint): Promise<BackendConnection> {
    return this.pick(hint).acquire(owner, hint);
  }

  release(connection: BackendConnection): void {
    this.primary.release(connection);
    this.replica.release(connection);
  }

  cancel(connection: BackendConnection): void {
    this.primary.cancel(connection);
    this.replica.cancel(connection);
  }

  sessionClosed(owner: object): void {
    this.primary.sessionClosed(owner);
    this.replica.sessionClosed(owner);
  }

  loginParameters(): ReadonlyMap<string, string> | undefined {
    return this.primary.loginParameters();
  }

  rememberLoginParameters(parameters: ReadonlyMap<string, string>): void {
    this.primary.rememberLoginParameters(parameters);
  }

  afterCycle(connection: BackendConnection): string | undefined {
    return this.primary.owns(connection) ? 'SELECT pg_current_wal_lsn()::text' : undefined;
  }

  observe(_connection: BackendConnection, value: string | null): void {
    if (value) this.mustSee = parseLsn(value);
  }

  /** A replica for a read-only cycle once it has replayed the session's last write; else the primary. */
  private pick(hint: CycleHint | undefined): RoutedBackend {
    if (!hint?.readOnly) return this.primary;
    const replica = this.replicas.replica();
    if (!replica) return this.primary;
    return this.replicas.replayedLsn(replica.instance) >= this.mustSee ? this.replica : this.primary;
  }
}

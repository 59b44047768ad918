/**
 * The topology store in etcd: keys under /polygres/v1/<cluster>/, values JSON, every write
 * that decides something a compare-and-swap on the key's mod revision (the rule, the term
 * key, the backup state). Services never build keys or parse values themselves.
 */
import { ExponentialBackoff, handleWhen, noop, retry } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import { keys } from './keys';
import { NewestRevision } from './newest-revision';
import type { BackupState, Election, GatewayRecord, GatewayReplica, HistoryEntry, InstanceRecord, ShardRule, Versioned } from './records';
import type { RuleWatch, TopoStore } from './topo-store';

export interface EtcdTopoStoreOptions {
  readonly endpoints: readonly string[];
  readonly cluster: string;
  /** Deadline of a single etcd call. */
  readonly callTimeoutMs?: number;
  /**
   * TLS: the authority etcd's certificate is checked against, the client certificate it
   * requires and, when the endpoints are IP addresses, the certificate name to expect.
   */
  readonly tls?: { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer; readonly serverName?: string };
}

/** How long a crashed gateway stays registered. */
const REPLICA_LEASE_SECONDS = 10;
/**
 * etcd's shortest useful lease (its minimum is 1.5 × the election timeout, 1 s by default);
 * kept alive every third of it, so a live orchestrator never loses it to a pause of its own.
 */
const ELECTION_LEASE_SECONDS = 2;

/** Ping etcd this often on an open connection, and drop it when a ping goes unanswered this long. */
const ETCD_KEEPALIVE_MS = 5_000;
const ETCD_KEEPALIVE_TIMEOUT_MS = 2_000;

export class EtcdTopoStore implements TopoStore {
  readonly cluster: string;
  private readonly client: Etcd3;

  constructor(options: EtcdTopoStoreOptions) {
    this.cluster = options.cluster;
    const callTimeoutMs = options.callTimeoutMs ?? 3_000;
    this.client = new Etcd3({
      hosts: [...options.endpoints],
      ...(options.tls ? { credentials: { rootCertificate: options.tls.ca, certChain: options.tls.cert, privateKey: options.tls.key } } : {}),
      grpcOptions: {
        ...(options.tls?.serverName ? { 'grpc.ssl_target_name_override': options.tls.serverName } : {}),
        // A connection the network silently drops (a partition: no reset, no close) would
        // hold the rule watch until TCP gives up, minutes after the network heals: a pooler
        // deposed meanwhile would not hear of its successor. Pings find it dead within
        // seconds, and the watch starts again on a member that answers. Every 5 s, etcd's
        // minimum (--grpc-keepalive-min-time), and only while a call — the watch — is open.
        'grpc.keepalive_time_ms': ETCD_KEEPALIVE_MS,
        'grpc.keepalive_timeout_ms': ETCD_KEEPALIVE_TIMEOUT_MS,
      },
      dialTimeout: 2_000,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
      // No circuit breaker: with one local etcd it would refuse calls for seconds after a restart.
      faultHandling: {
        host: () => noop,
        global: retry(handleWhen(isRecoverableError), { maxAttempts: 2 }),
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 }).next(),
      },
    });
  }

  async getRule(): Promise<Versioned<ShardRule> | undefined> {
    const response = await this.client.get(keys.rule(this.cluster)).exec();
    const kv = response.kvs[0];
    if (!kv) return undefined;
    return { value: JSON.parse(kv.value.toString()) as ShardRule, modRevision: kv.mod_revision };
  }

  /** Creates the first rule; false when another orchestrator created one first. */
  async createRule(rule: ShardRule): Promise<boolean> {
    const key = keys.rule(this.cluster);
    const result = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(JSON.stringify(rule))).commit();
    return result.succeeded;
  }

  /** Replaces the rule only if it has not changed since it was read; the new revision, or undefined. */
  async replaceRule(rule: ShardRule, modRevision: string): Promise<Versioned<ShardRule> | undefined> {
    const key = keys.rule(this.cluster);
    const result = await this.client.if(key, 'Mod', '==', modRevision).then(this.client.put(key).value(JSON.stringify(rule))).commit();
    return result.succeeded ? { value: rule, modRevision: result.header.revision } : undefined;
  }

  /**
   * Takes the next term (ARCHITECTURE.md, control path 1): in one transaction, only if neither the rule nor the
   * term key changed since they were read, the term key is raised and the rule replaced by
   * `next(term)`. Returns the new rule, or undefined when another orchestrator got there first.
   */
  async takeTerm(current: Versioned<ShardRule>, next: (term: number) => ShardRule): Promise<Versioned<ShardRule> | undefined> {
    const termKey = keys.term(this.cluster);
    const ruleKey = keys.rule(this.cluster);
    const termRead = await this.client.get(termKey).exec();
    const termKv = termRead.kvs[0];
    const storedTerm = termKv ? Number(termKv.value.toString()) : 0;
    const term = Math.max(storedTerm, current.value.term, current.value.election?.term ?? 0) + 1;
    const rule = next(term);
    const result = await this.client
      .if(ruleKey, 'Mod', '==', current.modRevision)
      .and(termKey, 'Mod', '==', termKv ? termKv.mod_revision : '0')
      .then(this.client.put(ruleKey).value(JSON.stringify(rule)), this.client.put(termKey).value(String(term)))
      .commit();
    return result.succeeded ? { value: rule, modRevision: result.header.revision } : undefined;
  }

  /** Takes the next term for an election: the rule keeps its primary but is marked `electing`. */
  beginElection(current: Versioned<ShardRule>, election: Omit<Election, 'term'>): Promise<Versioned<ShardRule> | undefined> {
    return this.takeTerm(current, (term) => ({ ...current.value, status: 'electing', election: { ...election, term } }));
  }

  async getBackupState(): Promise<Versioned<BackupState> | undefined> {
    const kv = (await this.client.get(keys.backups(this.cluster)).exec()).kvs[0];
    return kv ? { value: JSON.parse(kv.value.toString()) as BackupState, modRevision: kv.mod_revision } : undefined;
  }

  /** Replaces the backup state if unchanged since read (`modRevision` '0': it did not exist). */
  async replaceBackupState(state: BackupState, modRevision: string): Promise<boolean> {
    const key = keys.backups(this.cluster);
    const result = await this.client.if(key, 'Mod', '==', modRevision).then(this.client.put(key).value(JSON.stringify(state))).commit();
    return result.succeeded;
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    const key = `${keys.history(this.cluster)}${String(entry.term).padStart(10, '0')}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    await this.client.put(key).value(JSON.stringify(entry));
  }

  async listHistory(): Promise<HistoryEntry[]> {
    const values = await this.client.getAll().prefix(keys.history(this.cluster)).sort('Key', 'Ascend').strings();
    return Object.values(values).map((value) => JSON.parse(value) as HistoryEntry);
  }

  /**
   * Calls `onRule` with the current rule and on every change, until the watcher is cancelled;
   * never with a rule older than one it was called with (newest-revision.ts).
   */
  async watchRule(onRule: (rule: ShardRule | undefined) => void): Promise<RuleWatch> {
    const key = keys.rule(this.cluster);
    const newest = new NewestRevision();
    const heard = (revision: string, rule: ShardRule | undefined) => {
      if (newest.admits(revision)) onRule(rule);
    };
    const readCurrent = async () => {
      const response = await this.client.get(key).exec();
      const kv = response.kvs[0];
      // No rule: as of the revision the read saw.
      heard(kv ? kv.mod_revision : response.header.revision, kv ? (JSON.parse(kv.value.toString()) as ShardRule) : undefined);
    };
    const watcher = await this.client.watch().key(key).create();
    watcher.on('put', (kv) => heard(kv.mod_revision, JSON.parse(kv.value.toString()) as ShardRule));
    watcher.on('delete', (kv) => heard(kv.mod_revision, undefined));
    watcher.on('connected', () => {
      readCurrent().catch(() => undefined);
    });
    await readCurrent();
    return watcher;
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    await this.client.put(keys.instance(this.cluster, record.name)).value(JSON.stringify(record));
  }

  async deleteInstance(name: string): Promise<void> {
    await this.client.delete().key(keys.instance(this.cluster, name));
  }

  async listInstances(): Promise<InstanceRecord[]> {
    const values = await this.client.getAll().prefix(keys.instances(this.cluster)).strings();
    return Object.values(values).map((value) => JSON.parse(value) as InstanceRecord);
  }

  async putGateway(record: GatewayRecord): Promise<void> {
    await this.client.put(keys.gateway(this.cluster, record.zone)).value(JSON.stringify(record));
  }

  async listGateways(): Promise<GatewayRecord[]> {
    const values = await this.client.getAll().prefix(keys.gateways(this.cluster)).strings();
    return Object.values(values).map((value) => JSON.parse(value) as GatewayRecord);
  }

  /**
   * A lease of ELECTION_LEASE_SECONDS, kept alive by this process: killed, it lapses within
   * that time (etcd does not end leases when connections drop).
   */
  async holdElection(term: number): Promise<{ release(): Promise<void> }> {
    const lease = this.client.lease(ELECTION_LEASE_SECONDS);
    try {
      await lease.put(keys.electionHolder(this.cluster, term)).value(String(term));
    } catch (error) {
      lease.release();
      throw error;
    }
    // A lease lost while etcd is away: the election runs late and is taken over by the timeout.
    lease.on('lost', () => undefined);
    return { release: () => lease.revoke() };
  }

  async electionHeld(term: number): Promise<boolean> {
    return (await this.client.get(keys.electionHolder(this.cluster, term)).string()) !== null;
  }

  /**
   * The record lives under a lease of REPLICA_LEASE_SECONDS kept alive by this process; when
   * the lease is lost (etcd unreachable longer than that) a new one is taken when etcd answers.
   */
  async registerGatewayReplica(replica: GatewayReplica): Promise<{ close(): Promise<void> }> {
    const key = keys.gatewayReplica(this.cluster, replica.zone, replica.address, replica.port);
    let closed = false;
    let lease = this.client.lease(REPLICA_LEASE_SECONDS);
    const hold = async (): Promise<void> => {
      for (;;) {
        try {
          await lease.put(key).value(JSON.stringify(replica));
          lease.once('lost', () => {
            if (closed) return;
            lease = this.client.lease(REPLICA_LEASE_SECONDS);
            void hold();
          });
          return;
        } catch {
          // etcd did not answer: stop this lease's heartbeats (a granted one expires on its own)
          // and try again with a new one until it does (or until closed).
          lease.release();
          if (closed) return;
          lease = this.client.lease(REPLICA_LEASE_SECONDS);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          if (closed) return;
        }
      }
    };
    await hold();
    return {
      close: async () => {
        closed = true;
        await lease.revoke().catch(() => undefined);
      },
    };
  }

  async listGatewayReplicas(): Promise<GatewayReplica[]> {
    const values = await this.client.getAll().prefix(keys.gatewayReplicas(this.cluster)).strings();
    return Object.values(values).map((value) => JSON.parse(value) as GatewayReplica);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The topology store in memory, with the same conditional writes as etcd (versions are a
 * counter): for unit tests of what reads and decides on the topology, without an etcd.
 */
import type { BackupState, Election, GatewayRecord, GatewayReplica, HistoryEntry, InstanceRecord, ShardRule, Versioned } from './records';
import type { RuleWatch, TopoStore } from './topo-store';

export class MemoryTopoStore implements TopoStore {
  private revision = 0;
  private rule: Versioned<ShardRule> | undefined;
  private term = { value: 0, modRevision: '0' };
  private backups: Versioned<BackupState> | undefined;
  private readonly history: HistoryEntry[] = [];
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly gateways = new Map<string, GatewayRecord>();
  private readonly replicas = new Map<string, GatewayReplica>();
  private readonly watchers = new Set<(rule: ShardRule | undefined) => void>();

  async getRule(): Promise<Versioned<ShardRule> | undefined> {
    return this.rule;
  }

  async createRule(rule: ShardRule): Promise<boolean> {
    if (this.rule) return false;
    this.setRule(rule);
    return true;
  }

  async replaceRule(rule: ShardRule, modRevision: string): Promise<Versioned<ShardRule> | undefined> {
    if (this.rule?.modRevision !== modRevision) return undefined;
    return this.setRule(rule);
  }

  async takeTerm(current: Versioned<ShardRule>, next: (term: number) => ShardRule): Promise<Versioned<ShardRule> | undefined> {
    const termRead = this.term;
    const term = Math.max(termRead.value, current.value.term, current.value.election?.term ?? 0) + 1;
    const rule = next(term);
    if (this.rule?.modRevision !== current.modRevision || this.term.modRevision !== termRead.modRevision) return undefined;
    const written = this.setRule(rule);
    this.term = { value: term, modRevision: written.modRevision };
    return written;
  }

  beginElection(current: Versioned<ShardRule>, election: Omit<Election, 'term'>): Promise<Versioned<ShardRule> | undefined> {
    return this.takeTerm(current, (term) => ({ ...current.value, status: 'electing', election: { ...election, term } }));
  }

  async getBackupState(): Promise<Versioned<BackupState> | undefined> {
    return this.backups;
  }

  async replaceBackupState(state: BackupState, modRevision: string): Promise<boolean> {
    if ((this.backups?.modRevision ?? '0') !== modRevision) return false;
    this.backups = { value: state, modRevision: this.nextRevision() };
    return true;
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.history.push(entry);
  }

  async listHistory(): Promise<HistoryEntry[]> {
    return [...this.history].sort((a, b) => a.term - b.term);
  }

  async watchRule(onRule: (rule: ShardRule | undefined) => void): Promise<RuleWatch> {
    this.watchers.add(onRule);
    onRule(this.rule?.value);
    return { cancel: async () => void this.watchers.delete(onRule) };
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    this.instances.set(record.name, record);
  }

  async deleteInstance(name: string): Promise<void> {
    this.instances.delete(name);
  }

  async listInstances(): Promise<InstanceRecord[]> {
    return [...this.instances.values()];
  }

  async putGateway(record: GatewayRecord): Promise<void> {
    this.gateways.set(record.zone, record);
  }

  async listGateways(): Promise<GatewayRecord[]> {
    return [...this.gateways.values()];
  }

  private readonly heldElections = new Set<number>();

  async holdElection(term: number): Promise<{ release(): Promise<void> }> {
    this.heldElections.add(term);
    return { release: async () => void this.heldElections.delete(term) };
  }

  async electionHeld(term: number): Promise<boolean> {
    return this.heldElections.has(term);
  }

  async registerGatewayReplica(replica: GatewayReplica): Promise<{ close(): Promise<void> }> {
    const key = `${replica.zone}/${replica.address}:${replica.port}`;
    this.replicas.set(key, replica);
    return { close: async () => void this.replicas.delete(key) };
  }

  async listGatewayReplicas(): Promise<GatewayReplica[]> {
    return [...this.replicas.values()];
  }

  close(): void {
    this.watchers.clear();
  }

  private setRule(rule: ShardRule): Versioned<ShardRule> {
    this.rule = { value: rule, modRevision: this.nextRevision() };
    for (const watcher of this.watchers) watcher(rule);
    return this.rule;
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }
}

/** What each resource and data source implements; the protocol plumbing is shared. */
import type { Diagnostic } from '../protocol/diagnostics';
import type { State } from '../schema/values';
import type { BlockSchema } from '../schema/types';

export interface PlannedChange {
  readonly prior: State | null;
  /** The planned new state; the resource may adjust it (keep an equivalent value, mark computed ones unknown). */
  readonly planned: State;
  readonly config: State;
  /**
   * Attributes marked requiresReplace that this change can update in place after all (a spec
   * change the running cluster can take); the resource adds their names.
   */
  readonly inPlace: Set<string>;
}

export interface ManagedResource {
  readonly schema: BlockSchema;
  /** Checks a configuration, which may hold unknown values, before anything is planned. */
  validate?(config: State): Promise<Diagnostic[]> | Diagnostic[];
  /** Adjusts the planned state in place; checks that need the live cluster go here. */
  modifyPlan?(change: PlannedChange): Promise<Diagnostic[]> | Diagnostic[];
  create(planned: State): Promise<State>;
  /** The resource as it is now; null when it no longer exists (Terraform then plans to create it). */
  read(state: State): Promise<State | null>;
  update(prior: State, planned: State): Promise<State>;
  delete(prior: State): Promise<void>;
  /** The state of an existing object, from the ID `terraform import` was given. */
  importState(id: string): Promise<State>;
}

export interface DataSource {
  readonly schema: BlockSchema;
  validate?(config: State): Promise<Diagnostic[]> | Diagnostic[];
  read(config: State): Promise<State>;
}

/**
 * The tfplugin6 messages as plain objects (protobufjs reflection, camelCase field names), for
 * the subset declared in proto/tfplugin6.proto.
 */

export interface DynamicValue {
  readonly msgpack?: Uint8Array;
  readonly json?: Uint8Array;
}

export const enum Severity {
  ERROR = 1,
  WARNING = 2,
}

export interface AttributePathStep {
  readonly attributeName?: string;
  readonly elementKeyString?: string;
  readonly elementKeyInt?: number;
}

export interface ProtoDiagnostic {
  readonly severity: Severity;
  readonly summary: string;
  readonly detail?: string;
  readonly attribute?: { readonly steps: readonly AttributePathStep[] };
}

export interface ProtoAttribute {
  readonly name: string;
  readonly type: Uint8Array;
  readonly description: string;
  readonly descriptionKind: number;
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
}

export interface ProtoSchema {
  readonly version: number;
  readonly block: { readonly version: number; readonly attributes: readonly ProtoAttribute[]; readonly description: string; readonly descriptionKind: number };
}

export interface TypedRequest {
  readonly typeName: string;
}

export interface ConfigRequest extends TypedRequest {
  readonly config?: DynamicValue;
}

export interface UpgradeResourceStateRequest extends TypedRequest {
  readonly version?: number;
  readonly rawState?: { readonly json?: Uint8Array; readonly flatmap?: Record<string, string> };
}

export interface ReadResourceRequest extends TypedRequest {
  readonly currentState?: DynamicValue;
  readonly private?: Uint8Array;
}

export interface PlanResourceChangeRequest extends TypedRequest {
  readonly priorState?: DynamicValue;
  readonly proposedNewState?: DynamicValue;
  readonly config?: DynamicValue;
  readonly priorPrivate?: Uint8Array;
}

export interface ApplyResourceChangeRequest extends TypedRequest {
  readonly priorState?: DynamicValue;
  readonly plannedState?: DynamicValue;
  readonly config?: DynamicValue;
  readonly plannedPrivate?: Uint8Array;
}

export interface ImportResourceStateRequest extends TypedRequest {
  readonly id: string;
}

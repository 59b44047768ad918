/**
 * The tfplugin6 Provider service in terms of resources and data sources: decodes the
 * DynamicValues, calls the resource, encodes the result. Every failure — malformed input
 * included — comes back as a diagnostic; nothing here throws to gRPC.
 */
import type { DataSource, ManagedResource } from '../resources/resource';
import { planChange } from '../resources/plan';
import { configureProvider, providerSchema } from './provider-config';
import { type BlockSchema, ctyType } from '../schema/types';
import { type State, decodeDynamicValue, encodeDynamicValue, sameValue, stateFromJson } from '../schema/values';
import { type Diagnostic, diagnosticFromError, toProtoDiagnostic } from '../protocol/diagnostics';
import type {
  ApplyResourceChangeRequest,
  ConfigRequest,
  ImportResourceStateRequest,
  PlanResourceChangeRequest,
  ProtoSchema,
  ReadResourceRequest,
  TypedRequest,
  UpgradeResourceStateRequest,
} from '../protocol/messages';

const MARKDOWN = 1;

export function protoSchema(schema: BlockSchema): ProtoSchema {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      description: schema.description,
      descriptionKind: MARKDOWN,
      attributes: schema.attributes.map((a) => ({
        name: a.name,
        type: Buffer.from(JSON.stringify(ctyType(a.type))),
        description: a.description,
        descriptionKind: MARKDOWN,
        required: a.required ?? false,
        optional: a.optional ?? false,
        computed: a.computed ?? false,
        sensitive: a.sensitive ?? false,
      })),
    },
  };
}


type Handler = (request: never) => Promise<object>;

export class ProviderService {
  private readonly resources: Map<string, ManagedResource>;
  private readonly dataSources: Map<string, DataSource>;

  constructor(resources: readonly ManagedResource[], dataSources: readonly DataSource[]) {
    this.resources = new Map(resources.map((r) => [r.schema.typeName, r]));
    this.dataSources = new Map(dataSources.map((d) => [d.schema.typeName, d]));
  }

  /** The RPC handlers by method name, as gRPC calls them. */
  handlers(): Record<string, Handler> {
    return {
      GetMetadata: async () => ({
        serverCapabilities: { planDestroy: false, getProviderSchemaOptional: false },
        resources: [...this.resources.keys()].map((typeName) => ({ typeName })),
        dataSources: [...this.dataSources.keys()].map((typeName) => ({ typeName })),
      }),
      GetProviderSchema: async () => ({
        provider: protoSchema(providerSchema),
        resourceSchemas: Object.fromEntries([...this.resources].map(([name, r]) => [name, protoSchema(r.schema)])),
        dataSourceSchemas: Object.fromEntries([...this.dataSources].map(([name, d]) => [name, protoSchema(d.schema)])),
        serverCapabilities: { planDestroy: false, getProviderSchemaOptional: false },
      }),
      ValidateProviderConfig: async () => ({ diagnostics: [] }),
      ConfigureProvider: (request: ConfigRequest) =>
        respond('configure the provider', async () => {
          configureProvider(decodeDynamicValue(providerSchema, request.config));
          return { diagnostics: [] };
        }),
      StopProvider: async () => ({}),
      ValidateResourceConfig: (request: ConfigRequest) => this.validate(request, this.resource(request)),
      ValidateDataResourceConfig: (request: ConfigRequest) => this.validate(request, this.dataSource(request)),
      UpgradeResourceState: (request: UpgradeResourceStateRequest) => this.upgrade(request),
      ReadResource: (request: ReadResourceRequest) => this.readResource(request),
      PlanResourceChange: (request: PlanResourceChangeRequest) => this.plan(request),
      ApplyResourceChange: (request: ApplyResourceChangeRequest) => this.apply(request),
      ImportResourceState: (request: ImportResourceStateRequest) => this.importState(request),
      ReadDataSource: (request: ConfigRequest) => this.readDataSource(request),
    };
  }

  private resource(request: TypedRequest): ManagedResource {
    const found = this.resources.get(request.typeName);
    if (!found) throw new Error(`unknown resource type "${request.typeName}" (this provider has ${[...this.resources.keys()].join(', ')})`);
    return found;
  }

  private dataSource(request: TypedRequest): DataSource {
    const found = this.dataSources.get(request.typeName);
    if (!found) throw new Error(`unknown data source "${request.typeName}" (this provider has ${[...this.dataSources.keys()].join(', ')})`);
    return found;
  }

  private validate(request: ConfigRequest, target: ManagedResource | DataSource): Promise<object> {
    return respond(`validate ${request.typeName}`, async () => {
      const config = decodeDynamicValue(target.schema, request.config);
      return { diagnostics: config && target.validate ? await target.validate(config) : [] };
    });
  }

  private upgrade(request: UpgradeResourceStateRequest): Promise<object> {
    return respond(`upgrade state of ${request.typeName}`, async () => {
      const { schema } = this.resource(request);
      const json = request.rawState?.json;
      if (!json || json.length === 0) throw new Error('only JSON state is supported (no flatmap state from Terraform 0.11)');
      return { upgradedState: encodeDynamicValue(schema, stateFromJson(schema, Buffer.from(json).toString('utf8'))) };
    });
  }

  private readResource(request: ReadResourceRequest): Promise<object> {
    return respond(`read ${request.typeName}`, async () => {
      const resource = this.resource(request);
      const current = decodeDynamicValue(resource.schema, request.currentState);
      const next = current === null ? null : await resource.read(current);
      return { newState: encodeDynamicValue(resource.schema, next), ...(request.private ? { private: request.private } : {}) };
    });
  }

  private plan(request: PlanResourceChangeRequest): Promise<object> {
    return respond(`plan ${request.typeName}`, async () => {
      const resource = this.resource(request);
      const { schema } = resource;
      const prior = decodeDynamicValue(schema, request.priorState);
      const proposed = decodeDynamicValue(schema, request.proposedNewState);
      const config = decodeDynamicValue(schema, request.config);
      const { planned, requiresReplace } = planChange(schema, prior, proposed, config);
      const diagnostics: Diagnostic[] = [];
      const inPlace = new Set<string>();
      if (planned && config && resource.modifyPlan) diagnostics.push(...(await resource.modifyPlan({ prior, planned, config, inPlace })));
      // After modifyPlan: it may have kept an equivalent prior value, or found the change one it makes in place.
      const replace = planned && prior ? requiresReplace.filter((name) => !sameAsPrior(prior, planned, name) && !inPlace.has(name)) : [];
      return {
        plannedState: encodeDynamicValue(schema, planned),
        requiresReplace: replace.map((name) => ({ steps: [{ attributeName: name }] })),
        ...(request.priorPrivate ? { plannedPrivate: request.priorPrivate } : {}),
        diagnostics,
      };
    });
  }

  private apply(request: ApplyResourceChangeRequest): Promise<object> {
    return respond(`apply ${request.typeName}`, async () => {
      const resource = this.resource(request);
      const { schema } = resource;
      const prior = decodeDynamicValue(schema, request.priorState);
      const planned = decodeDynamicValue(schema, request.plannedState);
      try {
        let next: State | null;
        if (planned === null) {
          if (prior !== null) await resource.delete(prior);
          next = null;
        } else if (prior === null) {
          next = await resource.create(planned);
        } else {
          next = await resource.update(prior, planned);
        }
        return { newState: encodeDynamicValue(schema, next) };
      } catch (error) {
        // A failed update or delete leaves the object as it was; a failed create leaves nothing.
        return { newState: encodeDynamicValue(schema, prior), diagnostics: [diagnosticFromError(error, `apply ${request.typeName}`)] };
      }
    });
  }

  private importState(request: ImportResourceStateRequest): Promise<object> {
    return respond(`import ${request.typeName}`, async () => {
      const resource = this.resource(request);
      const state = await resource.importState(request.id);
      return { importedResources: [{ typeName: request.typeName, state: encodeDynamicValue(resource.schema, state) }] };
    });
  }

  private readDataSource(request: ConfigRequest): Promise<object> {
    return respond(`read data source ${request.typeName}`, async () => {
      const source = this.dataSource(request);
      const config = decodeDynamicValue(source.schema, request.config);
      if (config === null) throw new Error('no configuration');
      return { state: encodeDynamicValue(source.schema, await source.read(config)) };
    });
  }
}

function sameAsPrior(prior: State, planned: State, name: string): boolean {
  return sameValue(prior[name] ?? null, planned[name] ?? null);
}

/** Runs one RPC: its own diagnostics are encoded; a thrown error becomes an error diagnostic. */
async function respond(context: string, run: () => Promise<{ diagnostics?: Diagnostic[] } & object>): Promise<object> {
  try {
    const response = await run();
    const diagnostics = response.diagnostics ?? [];
    return { ...response, diagnostics: diagnostics.map(toProtoDiagnostic) };
  } catch (error) {
    return { diagnostics: [toProtoDiagnostic(diagnosticFromError(error, context))] };
  }
}

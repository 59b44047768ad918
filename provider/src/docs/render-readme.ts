/**
 * provider/README.md, generated from the schemas (one section per resource and data
 * source), after a hand-written introduction and set-up. `npm run docs -w provider` writes
 * it; a test fails when the file and the schemas disagree.
 */
import { providerSchema } from '../service/provider-config';
import { dataSources, resources } from '../resources/registry';
import type { AttributeSchema, AttributeType, BlockSchema } from '../schema/types';

const INTRODUCTION = `# Terraform provider \`polygres\`

A real Terraform plugin (protocol 6), written in TypeScript on @grpc/grpc-js. It runs
Polygres clusters on this machine (the local target: \`polygres_cluster\` is \`polygres up\`
under Terraform) and manages their day-2 state through the orchestrators' admin API: the
durability policy, the preferred primary (a switchover), backups and their schedule, roles
and databases — each visible in \`terraform plan\` before it happens, with drift detection
and \`terraform import\`.

Provider address: \`registry.terraform.io/polygres/polygres\`. It is not published to a
registry; Terraform runs it from this repository through \`dev_overrides\`.

## Set-up

\`\`\`sh
npm run setup        # or: npm ci && npm run build — builds provider/dist/provider.js
\`\`\`

Point Terraform at the launcher \`provider/bin/terraform-provider-polygres\` with a CLI
configuration file:

\`\`\`hcl
# polygres.tfrc
provider_installation {
  dev_overrides {
    "polygres/polygres" = "/path/to/polygres/provider/bin"
  }
  direct {}
}
\`\`\`

\`\`\`sh
export TF_CLI_CONFIG_FILE=$PWD/polygres.tfrc
export CHECKPOINT_DISABLE=1
terraform plan       # no terraform init needed for a configuration that uses only this provider
terraform apply
\`\`\`

\`\`\`hcl
terraform {
  required_providers {
    polygres = { source = "polygres/polygres" }
  }
}
\`\`\`

Terraform prints a warning that development overrides are in effect; that is expected.

\`terraform init\` cannot install a provider that dev_overrides cover. A configuration that
needs init — one with a backend, as every cdktf stack has, so also \`cdktf deploy\` — uses
the filesystem mirror the build writes (\`provider/dist/mirror\`, version 0.1.0 for this
machine's platform) instead:

\`\`\`hcl
provider_installation {
  filesystem_mirror {
    path    = "/path/to/polygres/provider/dist/mirror"
    include = ["polygres/polygres"]
  }
  direct {
    exclude = ["polygres/polygres"]
  }
}
\`\`\`

\`cdktf deploy\` and \`cdktf destroy\` also run \`terraform providers lock\`, which asks the
registry whatever the CLI configuration says: pass \`--skip-provider-lock\`
(\`TF_CLI_CONFIG_FILE=$PWD/polygres.tfrc npx cdktf deploy --skip-provider-lock\`).

The provider block may be left out; it holds only the admin token of clusters registered by
\`endpoint\` (see below).
It needs Node.js 20.19+, 22 or 24 and what \`polygres up\` needs (PostgreSQL 15, etcd, pgBackRest).
Logs go to stderr, which Terraform shows with \`TF_LOG=debug\`.

Every other resource names its cluster by \`cluster_id = polygres_cluster.<name>.id\` (the
cluster's state directory). The ClusterSpec is validated at plan time with the runtime's
own rules; each problem is a diagnostic on the attribute that holds it, with the fix.

## cdktf

Bindings generated from these schemas live in \`constructs/src/render/polygres-provider/\`
(\`npm run bindings -w provider\` regenerates them): \`PolygresProvider\` and one class per
resource or data source (\`PolygresClusterResource\`, \`PolygresRoleResource\`, ...,
\`PolygresClusterStatusDataSource\`), each with a config interface documented from the
descriptions below. The constructs' local target renders them; they can be used directly:

\`\`\`ts
const cluster = new PolygresClusterResource(stack, 'cluster', { stateDir: '/var/lib/polygres/orders', specJson: JSON.stringify(spec) });
new PolygresDurabilityPolicyResource(stack, 'policy', { clusterId: cluster.id, policy: 'multiZone', n: 2 });
\`\`\`

## Resources and data sources
`;

export function renderReadme(): string {
  const parts = [INTRODUCTION, section(providerSchema, 'provider')];
  for (const resource of resources()) parts.push(section(resource.schema, 'resource'));
  for (const source of dataSources()) parts.push(section(source.schema, 'data source'));
  return `${parts.join('\n').trimEnd()}\n`;
}

function section(schema: BlockSchema, kind: 'resource' | 'data source' | 'provider'): string {
  const inputs = schema.attributes.filter((a) => a.required || a.optional);
  const outputs = schema.attributes.filter((a) => a.computed && !a.required && !a.optional);
  const title = { resource: '', 'data source': 'Data source ', provider: 'Provider ' }[kind];
  const lines = [`### ${title}\`${schema.typeName}\``, '', schema.description, '', '```hcl', schema.example, '```', ''];
  lines.push('Arguments:', '', ...inputs.map((a) => `- \`${a.name}\` (${typeName(a.type)}, ${argumentKind(a)}) — ${a.description}`), '');
  if (outputs.length > 0) lines.push('Attributes:', '', ...outputs.map((a) => `- \`${a.name}\` (${typeName(a.type)}${a.sensitive ? ', sensitive' : ''}) — ${a.description}`), '');
  if (schema.importId) lines.push(`Import: \`terraform import ${schema.typeName}.<name> <id>\` with ${schema.importId}.`, '');
  return lines.join('\n');
}

function argumentKind(a: AttributeSchema): string {
  const kind = a.required ? 'required' : a.default !== undefined ? `optional, default \`${JSON.stringify(a.default)}\`` : 'optional';
  return [kind, ...(a.sensitive ? ['sensitive'] : []), ...(a.requiresReplace ? ['changing it re-creates the resource'] : [])].join(', ');
}

function typeName(type: AttributeType): string {
  if (typeof type === 'string') return type;
  if ('list' in type) return `list of ${typeName(type.list)}`;
  if ('map' in type) return `map of ${typeName(type.map)}`;
  return `object { ${Object.entries(type.object).map(([name, inner]) => `${name}: ${typeName(inner)}`).join(', ')} }`;
}

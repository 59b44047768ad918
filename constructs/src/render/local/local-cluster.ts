/**
 * The local target's rendering: a `polygres_cluster` resource of the polygres provider (with
 * the declared databases and roles), so `cdktf deploy` runs the cluster; and the ClusterSpec
 * JSON `polygres up --spec` runs, written at synth into the stack's output directory
 * (`<outdir>/stacks/<stack>/polygres/<cluster>.spec.json`), with an output holding the
 * command, for running it without Terraform.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import { buildClusterSpec } from '../../model/build-spec';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { IClusterDeclarationSource } from '../../model/cluster-declaration';
import type { LocalTargetProps } from '../../model/target-props';
import { LocalClusterResources } from './local-cluster-resources';

/**
 * The local rendering of a `PolygresCluster` (`cluster.local`): a `polygres_cluster` resource
 * with the cluster's roles and databases, the ClusterSpec file written at synth, and an
 * output with the `polygres up` command.
 */
export class LocalCluster extends Construct {
  /** The ClusterSpec the file holds, as JSON. */
  public readonly specJson: string;
  private readonly spec: ClusterSpecDocument;
  /** Path of the file relative to the stack's output directory. */
  public readonly relativePath: string;
  /** The `polygres_cluster` resource and the roles and databases of the cluster. */
  public readonly resources: LocalClusterResources;

  /** `source`: the cluster whose declaration this renders, read again at synth so later additions (users, databases) count. */
  constructor(scope: Construct, id: string, source: IClusterDeclarationSource, props: LocalTargetProps) {
    super(scope, id);
    const declaration = source._declaration();
    this.spec = buildClusterSpec(declaration, { kubernetesHints: false });
    this.specJson = `${JSON.stringify(this.spec, null, 2)}\n`;
    this.relativePath = join('polygres', `${declaration.name}.spec.json`);
    this.resources = new LocalClusterResources(this, 'provider', source, JSON.stringify(this.spec), props);
    const stack = TerraformStack.of(this);
    addCustomSynthesis(this, {
      onSynthesize: (session) => {
        const directory = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
        mkdirSync(join(directory, 'polygres'), { recursive: true });
        writeFileSync(join(directory, this.relativePath), this.specJson);
      },
    });
    const options = [
      ...(props.stateDir ? [`--state-dir ${props.stateDir}`] : []),
      ...(props.basePort !== undefined ? [`--base-port ${props.basePort}`] : []),
    ];
    new TerraformOutput(this, 'up-command', {
      value: ['npx polygres up --spec', join('cdktf.out', 'stacks', stack.node.id, this.relativePath), ...options, '--detach'].join(' '),
      description: `Starts cluster ${declaration.name} on this machine`,
    });
  }

  /** @internal */
  public _addUser(name: string): void {
    this.resources._addRole(name);
  }

  /** @internal */
  public _addDatabase(name: string): void {
    this.resources._addDatabase(name);
  }
}

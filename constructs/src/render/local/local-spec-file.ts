/**
 * The local target's rendering: the ClusterSpec JSON `polygres up --spec` runs, written at
 * synth into the stack's output directory (`<outdir>/stacks/<stack>/polygres/<cluster>.spec.json`),
 * and an output with the exact command.
 *
 * TODO(provider issue): render a `polygres_cluster` resource with the provider's generated
 * bindings (constructs/src/render/polygres-provider/) so `cdktf deploy` runs the cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import { buildClusterSpec } from '../../model/build-spec';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { PolygresCluster } from '../../cdktf/polygres-cluster';
import type { LocalTargetProps } from '../../cdktf/target';

/**
 * The local rendering of a `PolygresCluster` (`cluster.localSpecFile`): the ClusterSpec file
 * written at synth and an output with the `polygres up` command.
 */
export class LocalSpecFile extends Construct {
  /** The ClusterSpec the file holds, as JSON. */
  public readonly specJson: string;
  private readonly spec: ClusterSpecDocument;
  /** Path of the file relative to the stack's output directory. */
  public readonly relativePath: string;

  constructor(scope: Construct, id: string, cluster: PolygresCluster, props: LocalTargetProps) {
    super(scope, id);
    const declaration = cluster._declaration();
    this.spec = buildClusterSpec(declaration, { kubernetesHints: false });
    this.specJson = `${JSON.stringify(this.spec, null, 2)}\n`;
    this.relativePath = join('polygres', `${declaration.name}.spec.json`);
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
}

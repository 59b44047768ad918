/** Helpers for tests on synthesized JSON: one stack per test, parsed cdk.tf.json. */
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { PolygresCluster, type PolygresClusterProps } from '../src';

export interface Synthesized {
  readonly cluster: PolygresCluster;
  readonly stack: TerraformStack;
  readonly json: string;
  readonly config: TerraformJson;
}

/** Synthesized Terraform JSON is untyped: the tests walk it like any JSON document. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TerraformJson {
  resource: Record<string, Record<string, Json>>;
  output?: Record<string, Json>;
  provider?: Record<string, Json>;
}

export function newStack(): TerraformStack {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
  return stack;
}

/** Declares a cluster, lets `customize` add users or overrides, and synthesizes with validation. */
export function synthCluster(props: PolygresClusterProps, customize: (cluster: PolygresCluster) => void = () => undefined, id = 'orders'): Synthesized {
  const stack = newStack();
  const cluster = new PolygresCluster(stack, id, props);
  customize(cluster);
  const json = Testing.synth(stack, true);
  return { cluster, stack, json, config: JSON.parse(json) as TerraformJson };
}

/** Every resource of a type, by its logical id. */
export function resources(config: TerraformJson, type: string): Record<string, Json> {
  return config.resource[type] ?? {};
}

export function resourceList(config: TerraformJson, type: string): Json[] {
  return Object.values(resources(config, type));
}

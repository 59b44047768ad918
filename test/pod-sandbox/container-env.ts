/**
 * A container's environment as the kubelet builds it: the image's variables, then `env_from`,
 * then `env` in order, each `value` expanded with `$(NAME)` from the variables before it,
 * `value_from` read from Secrets, ConfigMaps, the pod's fields and the container's resources.
 * A missing Secret or key that is not optional is the kubelet's CreateContainerConfigError:
 * the container does not start.
 */
import type { Json } from './terraform-values';

export interface EnvSources {
  secret(name: string): Record<string, string> | undefined;
  configMap(name: string): Record<string, string> | undefined;
  field(path: string): string | undefined;
}

export class ContainerConfigError extends Error {}

export function containerEnv(container: Json, sources: EnvSources, imageEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv };
  for (const from of container.env_from ?? []) {
    const ref = from.secret_ref?.[0] ?? from.secret_ref ?? from.config_map_ref?.[0] ?? from.config_map_ref;
    const data = from.secret_ref ? sources.secret(ref.name) : sources.configMap(ref.name);
    if (!data && !ref.optional) throw new ContainerConfigError(`${from.secret_ref ? 'secret' : 'configmap'} "${ref.name}" not found`);
    for (const [key, value] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    env[variable.name] = variable.value_from ? valueFrom(variable.name, variable.value_from, container, sources) : expand(String(variable.value ?? ''), env);
  }
  return env;
}

function valueFrom(name: string, from: Json, container: Json, sources: EnvSources): string {
  const secretRef = from.secret_key_ref;
  if (secretRef) return keyOf('secret', secretRef, sources.secret(secretRef.name));
  const configRef = from.config_map_key_ref;
  if (configRef) return keyOf('configmap', configRef, sources.configMap(configRef.name));
  if (from.field_ref) {
    const value = sources.field(from.field_ref.field_path);
    if (value === undefined) throw new ContainerConfigError(`${name}: unsupported field ${from.field_ref.field_path}`);
    return value;
  }
  if (from.resource_field_ref) {
    const ref = from.resource_field_ref;
    const [kind, resource] = String(ref.resource).split('.') as ['limits' | 'requests', string];
    const amount = quantity(container.resources?.[kind]?.[resource] ?? '0');
    return String(Math.ceil(amount / quantity(ref.divisor ?? '1')));
  }
  throw new ContainerConfigError(`${name}: unsupported value_from ${JSON.stringify(from)}`);
}

function keyOf(kind: string, ref: Json, data: Record<string, string> | undefined): string {
  if (!data) {
    if (ref.optional) return '';
    throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
  }
  const value = data[ref.key];
  if (value === undefined) {
    if (ref.optional) return '';
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ref.name}`);
  }
  return value;
}

/** `$(NAME)` becomes the variable's value when defined before; `$$(` is a literal `$(`. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}

/** A Kubernetes quantity ("8Gi", "250m", "1") as a number of units. */
export function quantity(text: string | number): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(text));
  if (!match) return 0;
  const suffixes: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(match[1]) * (suffixes[match[2]!] ?? 1);
}

/**
 * The public API as jsii sees it (the `.jsii` assembly `npm run build -w constructs` writes):
 * no `any`, a summary on every type, property and method, and a `@default` on every optional
 * prop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Docs { summary?: string; default?: string }
interface TypeRef { primitive?: string; fqn?: string; collection?: { elementtype: TypeRef }; union?: { types: TypeRef[] } }
interface Property { name: string; docs?: Docs; optional?: boolean; type: TypeRef }
interface Method { name: string; docs?: Docs; parameters?: { name: string; type: TypeRef }[]; returns?: { type: TypeRef } }
interface Type { fqn: string; kind: string; datatype?: boolean; docs?: Docs; properties?: Property[]; methods?: Method[]; members?: { name: string; docs?: Docs }[]; initializer?: { parameters?: { name: string; type: TypeRef }[] } }

const assembly = JSON.parse(readFileSync(join(__dirname, '..', '.jsii'), 'utf8')) as { types: Record<string, Type> };
const types = Object.values(assembly.types);

function anyIn(ref: TypeRef | undefined): boolean {
  if (!ref) return false;
  if (ref.primitive === 'any') return true;
  return anyIn(ref.collection?.elementtype) || (ref.union?.types ?? []).some(anyIn);
}

describe('public API', () => {
  it('exports the documented entry points', () => {
    const names = types.map((type) => type.fqn.replace('@polygres/constructs.', ''));
    for (const name of ['PolygresCluster', 'PolygresClusterProps', 'Zone', 'DurabilityPolicy', 'BackupPolicy', 'BackupRepository', 'BackupSchedule', 'Target', 'KubernetesTargetProps', 'LocalTargetProps', 'PoolerOptions', 'GatewayOptions', 'UserOptions']) {
      expect(names).toContain(name);
    }
  });

  it('never uses any', () => {
    const offenders = types.flatMap((type) => [
      ...(type.properties ?? []).filter((p) => anyIn(p.type)).map((p) => `${type.fqn}.${p.name}`),
      ...(type.methods ?? []).filter((m) => anyIn(m.returns?.type) || (m.parameters ?? []).some((p) => anyIn(p.type))).map((m) => `${type.fqn}.${m.name}()`),
      ...(type.initializer?.parameters ?? []).filter((p) => anyIn(p.type)).map((p) => `${type.fqn}(${p.name})`),
    ]);
    expect(offenders).toEqual([]);
  });

  it('documents every type, property, method and enum member', () => {
    const missing = types.flatMap((type) => [
      ...(type.docs?.summary ? [] : [type.fqn]),
      ...(type.properties ?? []).filter((p) => !p.docs?.summary).map((p) => `${type.fqn}.${p.name}`),
      ...(type.methods ?? []).filter((m) => !m.docs?.summary).map((m) => `${type.fqn}.${m.name}()`),
      ...(type.members ?? []).filter((m) => !m.docs?.summary).map((m) => `${type.fqn}.${m.name}`),
    ]);
    expect(missing).toEqual([]);
  });

  it('gives every optional prop a @default', () => {
    const missing = types
      .filter((type) => type.datatype)
      .flatMap((type) => (type.properties ?? []).filter((p) => p.optional && p.docs?.default === undefined).map((p) => `${type.fqn}.${p.name}`));
    expect(missing).toEqual([]);
  });
});

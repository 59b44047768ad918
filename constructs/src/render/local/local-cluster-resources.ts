/**
 * The local target as Terraform resources of the polygres provider (its generated bindings in
 * ../polygres-provider): `polygres_cluster` runs the ClusterSpec with `polygres up`, and the
 * declared databases and users become `polygres_database` and `polygres_role`, so
 * `cdktf deploy` runs the whole cluster. The provider generates each role's password
 * (`generate_password`): the JSON holds only references, and the local target needs no other
 * provider.
 */
import { resolve } from 'node:path';
import { Lazy, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { IClusterDeclarationSource } from '../../model/cluster-declaration';
import type { LocalTargetProps } from '../../model/target-props';
import { PolygresClusterResource, PolygresDatabaseResource, PolygresProvider, PolygresRoleResource } from '../polygres-provider';
import { ensureProvider } from '../providers';

/** The polygres provider's resources of a local cluster (`cluster.local.resources`). */
export class LocalClusterResources extends Construct {
  /** The `polygres_cluster` resource. */
  public readonly cluster: PolygresClusterResource;
  private readonly roles = new Map<string, PolygresRoleResource>();
  private readonly source: IClusterDeclarationSource;

  constructor(scope: Construct, id: string, source: IClusterDeclarationSource, specJson: string, props: LocalTargetProps) {
    super(scope, id);
    this.source = source;
    ensurePolygresProvider(this);
    this.cluster = new PolygresClusterResource(this, 'cluster', {
      specJson,
      // Absolute: Terraform runs in cdktf.out/stacks/<stack>, not where the app was written.
      stateDir: resolve(props.stateDir ?? resolve('.polygres', source._declaration().name)),
      ...(props.basePort !== undefined ? { basePort: props.basePort } : {}),
    });
  }

  /**
   * A role with a generated password, and a sensitive output to read it with.
   * @internal
   */
  public _addRole(name: string): void {
    const role = new PolygresRoleResource(this, `user-${name}`, { clusterId: this.cluster.id, name, generatePassword: true });
    this.roles.set(name, role);
    new TerraformOutput(this, `user-${name}-password-output`, { value: role.password, sensitive: true, description: `Password of role ${name} (terraform output -raw)` });
  }

  /**
   * A database owned by the first user that lists it (a database has one owner; other users
   * need grants), or by postgres.
   * @internal
   */
  public _addDatabase(name: string): void {
    new PolygresDatabaseResource(this, `database-${name}`, {
      clusterId: this.cluster.id,
      name,
      owner: Lazy.stringValue({
        produce: () => {
          const owner = this.source._declaration().users.find((user) => user.databases.includes(name));
          const role = owner ? this.roles.get(owner.name) : undefined;
          return role ? role.name : 'postgres';
        },
      }),
    });
  }
}

function ensurePolygresProvider(scope: Construct): void {
  ensureProvider(scope, PolygresProvider, (stack) => new PolygresProvider(stack, 'polygres'));
}
